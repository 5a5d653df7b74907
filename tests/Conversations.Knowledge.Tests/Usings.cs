global using System.Text.Json;
global using Conversations.Contracts.Knowledge;
global using Conversations.Grains.Knowledge;
global using Conversations.Knowledge.Tests.Infrastructure;
global using Microsoft.Extensions.DependencyInjection;
