using Conversations.Hosting;
using Conversations.Silo;

// A silo only: grains, clustering, storage and reminders on PostgreSQL. API hosts connect to it as clients. Its
// management port serves /metrics, /healthz and /readyz to the operator's scraper and the orchestrator's probes.
var builder = WebApplication.CreateBuilder(args);
builder.AddConversationsSilo();
builder.AddSiloManagement();
var app = builder.Build();
app.MapSiloManagement();
app.Run();
