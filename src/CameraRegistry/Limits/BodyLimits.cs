using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace CameraHub.CameraRegistry.Limits;

/// <summary>The largest request body a route reads, in bytes (endpoint metadata; the most specific one wins).</summary>
public sealed record BodyLimit(long Bytes)
{
    /// <summary>Sign-in: a user name and a password.</summary>
    public const long SignIn = 16 * 1024;
    /// <summary>A form of the registry (grant, user, organisation, site, agreement, evidence request).</summary>
    public const long Form = 64 * 1024;
    /// <summary>One camera with its masking polygons.</summary>
    public const long Camera = 256 * 1024;
    /// <summary>A camera CSV (a city of a few thousand cameras is well under this).</summary>
    public const long Import = 32 * 1024 * 1024;
}

/// <summary>Applies <see cref="BodyLimit"/>: 413 before reading when Content-Length says too much, and while reading otherwise.</summary>
public static class BodyLimits
{
    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, long bytes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new BodyLimit(bytes));

    /// <summary>Must run after routing (the endpoint is known) and before the endpoint reads the body.</summary>
    public static IApplicationBuilder UseBodyLimits(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<BodyLimit>() is not { } limit)
        {
            await next(http);
            return;
        }

        if (http.Request.ContentLength is { } length && length > limit.Bytes)
        {
            await TooLarge(limit, length).ExecuteAsync(http);
            return;
        }

        // Kestrel stops reading at the limit itself; the wrapper covers servers that do not (and chunked bodies).
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit.Bytes;
        }

        http.Request.Body = new LimitedReadStream(http.Request.Body, limit.Bytes);
        await next(http);
    });

    private static IResult TooLarge(BodyLimit limit, long length) => Results.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large",
        detail: $"the request body is {length:N0} bytes; this route accepts at most {limit.Bytes:N0} bytes");

    private sealed class LimitedReadStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        private int Count(int n)
        {
            _read += n;
            return _read > limit
                ? throw new BadHttpRequestException($"the request body is over this route's limit of {limit:N0} bytes", StatusCodes.Status413PayloadTooLarge)
                : n;
        }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
