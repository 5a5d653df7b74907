using Conversations.Contracts.Images;
using Conversations.Storage.Images;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Conversations.Grains.Images;

/// <summary>Wires images in messages: the store, the checked fetch and upload service, their limits.</summary>
public static class ImageServiceExtensions
{
    /// <summary>Adds <see cref="IMessageImages"/> and <see cref="ImageStore"/>; every host calls it (the API stores images, the silo reads them for the turn).</summary>
    public static IServiceCollection AddMessageImages(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ImageOptions>().Bind(configuration.GetSection(ImageOptions.Section))
            .Validate(o => o.Problem() is null, $"The {ImageOptions.Section} settings are out of range (see ImageOptions).")
            .ValidateOnStart();
        services.TryAddSingleton<ImageStore>();
        services.TryAddSingleton<MessageImageService>();
        services.TryAddSingleton<IMessageImages>(sp => sp.GetRequiredService<MessageImageService>());
        return services;
    }
}
