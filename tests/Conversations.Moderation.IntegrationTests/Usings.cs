global using Conversations.TestModel.Hosting;
