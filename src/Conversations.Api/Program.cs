using Conversations.Api;

var builder = WebApplication.CreateBuilder(args);

// Silo (or client), stores, auth, problem details, OpenAPI.
builder.AddApiServices();

var app = builder.Build();

// Middleware, the web page and the /v1 routes.
app.MapApi();

app.Run();
