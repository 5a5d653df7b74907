global using Conversations.Routing.IntegrationTests.Infrastructure;
global using Conversations.TestModel;
