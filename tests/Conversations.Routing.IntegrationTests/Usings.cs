global using Conversations.Routing.IntegrationTests.Infrastructure;
global using Conversations.TestModel.Behavior;
global using Conversations.TestModel.Hosting;
global using Conversations.TestModel.Recording;
