using Conversations.Hosting;

// A silo only: grains, clustering, storage and reminders on PostgreSQL. API hosts connect to it as clients.
var builder = Host.CreateApplicationBuilder(args);
builder.AddConversationsSilo();
builder.Build().Run();
