global using Conversations.Prompting;
global using Xunit;
