using Conversations.AppHost;

// The platform as a cluster under the Aspire dashboard: the local PostgreSQL, N silos and the API host (an Orleans
// client). Settings: Silos (default 2), ApiPort (default 8080), ConnectionStrings:Postgres (an existing database
// instead of deploy/local-db.sh).
var builder = DistributedApplication.CreateBuilder(args);
builder.AddConversationsCluster();
builder.Build().Run();
