using Conversations.Routing.Endpoints;
using Microsoft.Extensions.Options;

namespace Conversations.Grains.Routing;

/// <summary>Start-up check of the <c>Endpoints</c> section: the message names the unusable setting.</summary>
internal sealed class EndpointPolicyOptionsValidation : IValidateOptions<EndpointPolicyOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, EndpointPolicyOptions options) =>
        options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
