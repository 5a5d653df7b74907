global using Conversations.TestModel;
