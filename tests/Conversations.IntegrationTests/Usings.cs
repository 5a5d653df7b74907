global using System.Text;
global using Conversations.IntegrationTests.Infrastructure;
global using Conversations.TestModel.Behavior;
global using Conversations.TestModel.Hosting;
global using Conversations.TestModel.Recording;
