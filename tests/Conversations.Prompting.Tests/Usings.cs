global using Conversations.Prompting.Budget;
global using Conversations.Prompting.History;
global using Conversations.Prompting.Layout;
global using Conversations.Prompting.Memory;
global using Conversations.Prompting.Summaries;
global using Conversations.Prompting.Tokens;
global using Xunit;
