global using System.Text;
global using Conversations.IntegrationTests.Infrastructure;
global using Conversations.TestModel;
