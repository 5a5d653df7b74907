namespace Conversations.TestModel.Protocol;

/// <summary>POST /v1/chat/completions: validates and records the request, then hands it to a <see cref="CompletionRun"/>.</summary>
internal static class ChatCompletionsApi
{
    public static async Task HandleAsync(HttpContext context, ServerRuntime runtime)
    {
        var (parsed, body) = await RequestJson.ReadAsync(context, ProtocolJsonContext.Default.ChatCompletionRequestBody);
        if (!parsed) return; // RequestJson answered the 400 already

        if (body?.Model is not { Length: > 0 } model)
        {
            await OpenAIErrors.WriteAsync(context, 400, "You must provide a model parameter.");
            return;
        }

        if (body.Messages is not { Count: > 0 } bodyMessages)
        {
            await OpenAIErrors.WriteAsync(context, 400, "'messages' must be a non-empty array.");
            return;
        }

        var messages = new PromptMessage[bodyMessages.Count];
        for (var i = 0; i < messages.Length; i++)
        {
            if (bodyMessages[i].Role is not { Length: > 0 } role)
            {
                await OpenAIErrors.WriteAsync(context, 400, $"Missing required parameter: 'messages[{i}].role'.");
                return;
            }

            var content = bodyMessages[i].Content;
            messages[i] = new PromptMessage(role, content?.Text ?? string.Empty) { ImageUrls = content?.ImageUrls ?? [] };
        }

        if (runtime.Options.RejectUnknownModels && !runtime.Control.IsKnown(model))
        {
            await OpenAIErrors.WriteAsync(context, 404, $"The model `{model}` does not exist or you do not have access to it.");
            return;
        }

        var record = Record(context, runtime, body, model, messages);
        var modelCounters = runtime.Counters.ForModel(model);
        var total = runtime.Counters.Total;
        modelCounters.Started(record.Stream);
        total.Started(record.Stream);
        try
        {
            var run = new CompletionRun(context, runtime, record, body, modelCounters, total);
            await run.ExecuteAsync();
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested || runtime.Stopping.IsCancellationRequested)
        {
            // The client went away or the server is stopping: drop the connection so no half answer looks complete.
            context.Abort();
        }
        finally
        {
            modelCounters.Ended();
            total.Ended();
            record.CompletedAt = DateTimeOffset.UtcNow;
            record.Completed = true;
        }
    }

    private static RecordedRequest Record(
        HttpContext context, ServerRuntime runtime, ChatCompletionRequestBody body, string model, PromptMessage[] messages)
    {
        var keep = runtime.Options.RequestLogCapacity > 0;
        var headers = new Dictionary<string, string>(keep ? context.Request.Headers.Count : 0, StringComparer.OrdinalIgnoreCase);
        if (keep)
        {
            foreach (var (name, values) in context.Request.Headers)
            {
                headers[name.ToLowerInvariant()] = values.ToString();
            }
        }

        var record = new RecordedRequest
        {
            Sequence = runtime.Log.NextSequence(),
            ReceivedAt = DateTimeOffset.UtcNow,
            Model = model,
            Messages = messages,
            Stream = body.Stream == true,
            IncludeUsage = body.StreamOptions?.IncludeUsage == true,
            User = body.User,
            PromptCacheKey = body.PromptCacheKey,
            MaxTokens = body.MaxTokens,
            MaxCompletionTokens = body.MaxCompletionTokens,
            Temperature = body.Temperature,
            Headers = headers,
        };
        runtime.Log.Add(record);
        return record;
    }
}
