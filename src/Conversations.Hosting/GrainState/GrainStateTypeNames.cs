using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Newtonsoft.Json.Serialization;
using Orleans.Serialization;

namespace Conversations.Hosting.GrainState;

/// <summary>
/// Grain state is stored as JSON with the type name of every object and collection, and read back only as types on
/// Orleans' allow-list. A collection expression handed to an <c>IReadOnlyList&lt;T&gt;</c> or <c>IEnumerable&lt;T&gt;</c>
/// member is a compiler-made type that is not on it: state holding one was written and then could not be read on the
/// next activation. Such a collection is named as <c>List&lt;T&gt;</c> when written, so no caller has to remember.
/// </summary>
internal sealed class GrainStateTypeNames(ISerializationBinder inner) : ISerializationBinder
{
    /// <inheritdoc />
    public Type BindToType(string? assemblyName, string typeName) => inner.BindToType(assemblyName, typeName);

    /// <inheritdoc />
    public void BindToName(Type serializedType, out string? assemblyName, out string? typeName) =>
        inner.BindToName(StoredAs(serializedType), out assemblyName, out typeName);

    // Every object of every grain state write asks: the answer per type is looked up once.
    private static readonly ConcurrentDictionary<Type, Type> Stored = new();

    /// <summary>The type a value of <paramref name="type"/> is stored as.</summary>
    internal static Type StoredAs(Type type) => Stored.GetOrAdd(type, ListTypeOf);

    private static Type ListTypeOf(Type type)
    {
        if (!type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false)) return type;
        var item = type.GetInterfaces()
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
        return item is null ? type : typeof(List<>).MakeGenericType(item);
    }
}

/// <summary>Puts <see cref="GrainStateTypeNames"/> in front of the binder Orleans configures for grain state.</summary>
internal sealed class ConfigureGrainStateTypeNames : IPostConfigureOptions<OrleansJsonSerializerOptions>
{
    /// <inheritdoc />
    public void PostConfigure(string? name, OrleansJsonSerializerOptions options)
    {
        var settings = options.JsonSerializerSettings;
        if (settings.SerializationBinder is not GrainStateTypeNames)
            settings.SerializationBinder = new GrainStateTypeNames(settings.SerializationBinder ?? new DefaultSerializationBinder());
    }
}

/// <summary>Registration of <see cref="ConfigureGrainStateTypeNames"/>.</summary>
public static class GrainStateServiceCollectionExtensions
{
    /// <summary>Stores compiler-made collections in grain state as lists (after Orleans' own post-configuration).</summary>
    public static IServiceCollection AddGrainStateTypeNames(this IServiceCollection services) =>
        services.AddSingleton<IPostConfigureOptions<OrleansJsonSerializerOptions>, ConfigureGrainStateTypeNames>();
}
