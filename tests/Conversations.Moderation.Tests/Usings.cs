global using Conversations.Moderation.Engine;
global using Conversations.Moderation.Green;
global using Conversations.Moderation.Lexicons;
global using Xunit;
