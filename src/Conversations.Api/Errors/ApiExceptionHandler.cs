using Conversations.Contracts.Encryption;
using Conversations.Contracts.Images;
using Conversations.Contracts.Knowledge;
using Conversations.Contracts.Routing;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Conversations.Api.Errors;

/// <summary>Turns exceptions into problem details: bad input is the caller's 4xx, never a 500.</summary>
internal sealed partial class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    private const int RetryAfterSeconds = 5;
    private const int BatchQueueRetryAfterSeconds = 30; // a job of the queue ends in seconds to hours: ask again now and then

    /// <inheritdoc />
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        string? field = null;
        var unopenable = Unopenable(exception);
        var (status, title, detail) = Unreadable(exception) is { } gone ? (410, "Data destroyed", gone.Message) : (unopenable ?? exception) switch
        {
            BadHttpRequestException { StatusCode: 413 } =>
                (413, Problems.ContentTooLargeTitle, "The request body is larger than this server accepts. Send less text at a time."),
            // A JSON body sent without (or with another) Content-Type: ASP.NET Core's own 415, in words.
            BadHttpRequestException { StatusCode: 415 } =>
                (415, Problems.UnsupportedMediaTypeTitle, Problems.UnsupportedMediaTypeDetail(http.Request.ContentType, "application/json")),
            BadHttpRequestException { InnerException: UnstorableTextException u } => Unstorable(u, out field),
            UnstorableTextException u => Unstorable(u, out field),
            // An unpaired surrogate escape read where no string converter runs (a JsonElement's text, the audit's copy of
            // the body): the reader's InvalidOperationException is the caller's malformed text, not our fault.
            InvalidOperationException { Source: { } source } j when source.StartsWith("System.Text.Json", StringComparison.Ordinal)
                && j.Message.Contains("UTF-16", StringComparison.Ordinal) =>
                (400, "The request is not valid", StorableText.SurrogateDetail("The body")),
            BadHttpRequestException b =>
                (b.StatusCode, "The request is not valid", FriendlyBadRequest(b, http, out field)),
            // Without .NET's " (Parameter 'x')" suffix, which names a method's parameter, not a field of the request.
            ArgumentException { ParamName: { } name } a => (400, "The request is not valid", a.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal)),
            ArgumentException a => (400, "The request is not valid", a.Message),
            // The tenant's knowledge base is full: a state to change (delete documents, a higher limit), not a bad request.
            KnowledgeQuotaExceededException q => (409, "Knowledge base full", q.Message),
            LabelLimitReachedException l => (409, "Too many labels", l.Message),
            // The tenant's batch queue is full: worth trying again once a job has finished.
            BatchQueueFullException q => (429, "Too many batch jobs", q.Message),
            // A delete of a document an upload is still storing: answered once the upload is done with it, never before.
            DocumentBeingStoredException b => (409, "Document still being stored", b.Message),
            // The image's own status: too large 413, wrong type 415, a refused address 400, a failed fetch 422.
            ImageRejectedException i => (i.Status, "The image was not accepted", i.Message),
            // A last line of defence: text the edge checks let through is still the caller's 400, not a retryable 500.
            PostgresException { SqlState: PostgresErrorCodes.CharacterNotInRepertoire or PostgresErrorCodes.UntranslatableCharacter } =>
                (400, "The request is not valid", "The request contains text that cannot be stored (for example a NUL character). Remove it and send again."),
            // Overload or a passing outage, not a fault: the caller may retry, and is told when.
            TimeoutException or SiloUnavailableException or OrleansMessageRejectionException or GatewayTooBusyException
                or Orleans.Runtime.Messaging.ConnectionFailedException or NpgsqlException { IsTransient: true }
                // The cluster's own runtime failed the call (a silo died mid-call, a forward failed): no bug of ours or the caller's.
                or OrleansException =>
                (503, "Service busy", $"The service is busy or briefly unavailable. Please try again in {RetryAfterSeconds} seconds."),
            OperationCanceledException when http.RequestAborted.IsCancellationRequested => (499, "Client closed request", "The request was cancelled."),
            // Found by the chain walk below: a stored value that does not open (a key mismatch, a damaged row).
            System.Security.Cryptography.CryptographicException => (500, "Stored data could not be read",
                "Something this request reads is stored encrypted and could not be decrypted, so retrying will not help. Ask your administrator to report it to the platform operator with the traceId; the server log names the record."),
            _ => (500, "Something went wrong on our side", "The request failed unexpectedly. Please try again; if it keeps failing, contact your administrator."),
        };
        // A client's mistake is no incident: one Debug line, no stack trace.
        if (status == 503) LogUnavailable(logger, http.Request.Method, http.Request.Path, exception.GetType().Name, exception.Message);
        else if (status >= 500) LogUnhandled(logger, exception);
        else LogClientError(logger, http.Request.Method, http.Request.Path, status, detail);
        if (http.Response.HasStarted) return true;
        http.Response.StatusCode = status;
        if (status == 503) http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail, Type = $"https://httpstatuses.io/{status}" };
        if (field is not null) problem.Extensions["field"] = field;
        if (unopenable is not null && status == 500) problem.Extensions["code"] = "stored_data_unreadable";
        AddDetails(problem, exception, http);
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    // What a client acts on beyond the status: the refusal's code and figures, and when to ask again.
    private static void AddDetails(ProblemDetails problem, Exception exception, HttpContext http)
    {
        if (exception is ImageRejectedException rejected) problem.Extensions["code"] = rejected.Code;
        if (exception is DocumentBeingStoredException storing)
        {
            problem.Extensions["code"] = "document_being_stored";
            problem.Extensions["documentId"] = storing.DocumentId;
            problem.Extensions["retryable"] = true;
            http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (exception is BatchQueueFullException queue)
        {
            problem.Extensions["code"] = "batch_queue_full";
            problem.Extensions["retryable"] = true;
            problem.Extensions["unfinishedJobs"] = queue.Unfinished;
            problem.Extensions["limitJobs"] = queue.Limit;
            http.Response.Headers.RetryAfter = BatchQueueRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (exception is KnowledgeQuotaExceededException quota)
        {
            problem.Extensions["code"] = "knowledge_quota_exceeded";
            problem.Extensions["heldChunks"] = quota.Held;
            problem.Extensions["limitChunks"] = quota.Limit;
            problem.Extensions["uploadChunks"] = quota.Added;
        }
    }

    // A destroyed tenant key may surface wrapped (a grain that failed to activate): look down the chain.
    private static TenantDataUnreadableException? Unreadable(Exception? e)
    {
        for (var depth = 0; e is not null && depth < 8; depth++, e = e.InnerException)
            if (e is TenantDataUnreadableException u) return u;
        return null;
    }

    // A sealed value that does not open may surface wrapped too (a grain that failed to activate).
    private static System.Security.Cryptography.CryptographicException? Unopenable(Exception? e)
    {
        for (var depth = 0; e is not null && depth < 8; depth++, e = e.InnerException)
            if (e is System.Security.Cryptography.CryptographicException c) return c;
        return null;
    }

    private static (int, string, string) Unstorable(UnstorableTextException u, out string field)
    {
        field = u.Field;
        return (400, "The request is not valid", u.Detail);
    }

    private static string FriendlyBadRequest(BadHttpRequestException b, HttpContext http, out string? field)
    {
        var query = http.Request.Query;
        field = null;
        // A value of the wrong JSON type (or out of its type's range) names the field as the client wrote it and what it
        // must be, never the .NET type it was meant for.
        if (b.InnerException is System.Text.Json.JsonException { Path: { Length: > 2 } path } w && w.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
        {
            field = ValidationProblems.JsonPath(path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path);
            // A number past its type (1e30 for a price) is out of the field's declared range, not of the wrong type.
            if (DeclaredBodyRange(http, field) is { } outOfRange) return outOfRange;
            return $"The JSON value of '{field}' must be {ExpectedValue(w.Message.Split(" Path:")[0])}. Numbers are JSON numbers (5, not \"5\"), texts are JSON strings.";
        }
        // A field an admin body does not take (a typo): refused, so the admin does not believe a change was made.
        if (b.InnerException is System.Text.Json.JsonException u && UnknownFieldMessage.From(u) is { } unknown)
        {
            field = unknown.Field;
            return unknown.Detail;
        }
        if (b.InnerException is System.Text.Json.JsonException { Path: { Length: > 2 } twice } d && d.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase))
        {
            field = ValidationProblems.JsonPath(twice.StartsWith("$.", StringComparison.Ordinal) ? twice[2..] : twice);
            return $"'{field}' appears more than once in the body; send each field once.";
        }
        // The body as a whole of the wrong JSON type (an array, a string): the message would name the .NET type it was meant for.
        if (b.InnerException is System.Text.Json.JsonException { Path: null or "$" } root && root.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
            return "The body must be a JSON object with the fields this route takes (the API reference at /openapi/v1.json lists them).";
        if (b.InnerException is System.Text.Json.JsonException j)
            return $"The body is not valid JSON ({j.Message.Split(" Path:")[0].Split(". LineNumber")[0]}). Send one JSON object with the fields this route takes (the API reference at /openapi/v1.json lists them).";
        // A query or route value that does not parse: ASP.NET Core names the parameter with its .NET type.
        if (FailedBinding().Match(b.Message) is { Success: true } m)
        {
            field = m.Groups["name"].Value;
            // Sent twice, the values reach the binder joined ("5,6"): say what went wrong, not that 5 is no number.
            if (query.TryGetValue(field, out var sent) && sent.Count > 1) return QueryParameterCheck.SentTwice(field, sent.Count);
            // A parameter with a [Range] says that range, not its .NET type's (expiresInDays is 1–3650, not any int).
            var expected = DeclaredRange(http, field, m.Groups["type"].Value) ?? ExpectedValue(m.Groups["type"].Value);
            return $"The parameter '{field}' must be {expected}; \"{m.Groups["value"].Value}\" is not.";
        }
        return b.Message.Contains("body", StringComparison.OrdinalIgnoreCase)
            ? "The request body is missing or not JSON. Send Content-Type: application/json with a JSON object."
            : b.Message;
    }

    // The route handler of the request that failed: the exception handler runs with the request's endpoint cleared, and
    // the feature keeps the one that failed.
    private static System.Reflection.MethodInfo? FailedHandler(HttpContext http) =>
        (http.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? http.GetEndpoint())?.Metadata.GetMetadata<System.Reflection.MethodInfo>();

    // "a whole number from 1 to 3,650" for a route handler's parameter named `name` with a [Range]; null without one.
    private static string? DeclaredRange(HttpContext http, string name, string typeText)
    {
        var range = FailedHandler(http)?.GetParameters()
            .FirstOrDefault(p => p.Name == name)?.GetCustomAttributes(typeof(System.ComponentModel.DataAnnotations.RangeAttribute), false)
            .OfType<System.ComponentModel.DataAnnotations.RangeAttribute>().FirstOrDefault();
        if (range is null) return null;
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        var whole = typeText.Contains("Int", StringComparison.Ordinal) || typeText.Contains("int", StringComparison.Ordinal) || typeText.Contains("long", StringComparison.Ordinal);
        return whole
            ? string.Format(culture, "a whole number from {0:N0} to {1:N0}", Convert.ToInt64(range.Minimum, culture), Convert.ToInt64(range.Maximum, culture))
            : string.Format(culture, "a number from {0} to {1}", range.Minimum, range.Maximum);
    }

    // The [Range] message of the body field named `field` (a top-level JSON name) of the failed route's handler; null without one.
    private static string? DeclaredBodyRange(HttpContext http, string field)
    {
        if (FailedHandler(http) is not { } handler) return null;
        var range = handler.GetParameters()
            .SelectMany(p => p.ParameterType.GetConstructors().SelectMany(c => c.GetParameters()))
            .Where(p => string.Equals(p.Name, field, StringComparison.OrdinalIgnoreCase))
            .SelectMany(p => p.GetCustomAttributes(typeof(System.ComponentModel.DataAnnotations.RangeAttribute), false))
            .OfType<System.ComponentModel.DataAnnotations.RangeAttribute>().FirstOrDefault();
        return range?.FormatErrorMessage(field);
    }

    // What a value of a .NET type looks like to a client, from the type's name in a framework message.
    private static string ExpectedValue(string typeText) => typeText switch
    {
        _ when typeText.EndsWith("[]", StringComparison.Ordinal) || typeText.Contains("List`1", StringComparison.Ordinal) || typeText.Contains("IEnumerable`1", StringComparison.Ordinal)
            || typeText.Contains("Collection`1", StringComparison.Ordinal)
            => typeText.Contains("String", StringComparison.Ordinal) ? "an array of JSON strings" : "a JSON array",
        _ when typeText.Contains("Int32", StringComparison.Ordinal) || typeText.Contains("<int>", StringComparison.Ordinal) || typeText.EndsWith("int", StringComparison.Ordinal)
            => "a whole number from -2,147,483,648 to 2,147,483,647",
        _ when typeText.Contains("Int64", StringComparison.Ordinal) || typeText.Contains("long", StringComparison.Ordinal) || typeText.Contains("Int16", StringComparison.Ordinal)
            => "a whole number within the field's range",
        _ when typeText.Contains("Double", StringComparison.Ordinal) || typeText.Contains("Decimal", StringComparison.Ordinal) || typeText.Contains("Single", StringComparison.Ordinal)
            || typeText.Contains("double", StringComparison.Ordinal) || typeText.Contains("decimal", StringComparison.Ordinal)
            => "a number",
        _ when typeText.Contains("Boolean", StringComparison.Ordinal) || typeText.Contains("bool", StringComparison.Ordinal) => "true or false",
        _ when typeText.Contains("DateTime", StringComparison.Ordinal) => "a date and time such as 2026-01-31T12:00:00Z",
        _ when typeText.Contains("String", StringComparison.Ordinal) || typeText.Contains("string", StringComparison.Ordinal) => "a JSON string",
        _ => "a value of the documented type",
    };

    [System.Text.RegularExpressions.GeneratedRegex("^Failed to bind parameter \"(?<type>.+) (?<name>[^ \"]+)\" from \"(?<value>.*)\"\\.$")]
    private static partial System.Text.RegularExpressions.Regex FailedBinding();

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error")]
    private static partial void LogUnhandled(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503 ({Kind}): {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string method, string path, string kind, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} {Path} refused with {Status}: {Detail}")]
    private static partial void LogClientError(ILogger logger, string method, string path, int status, string detail);
}
