namespace TrainingWorkers.Aws.S3;

/// <summary>A read-only window of <c>length</c> bytes from the current position of an inner stream it owns (one part of a file).</summary>
internal sealed class BoundedStream : Stream
{
    private readonly Stream _inner;
    private readonly long _start;
    private readonly long _length;

    public BoundedStream(Stream inner, long length)
    {
        _inner = inner;
        _start = inner.Position;
        _length = length;
    }

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => _length;

    public override long Position
    {
        get => _inner.Position - _start;
        set => _inner.Position = _start + Math.Clamp(value, 0, _length);
    }

    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Clamp(count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inner.ReadAsync(buffer[..Clamp(buffer.Length)], cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _inner.ReadAsync(buffer, offset, Clamp(count), cancellationToken);

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            _ => _length + offset,
        };
        return Position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }

    private int Clamp(int count) => (int)Math.Max(0, Math.Min(count, _length - Position));
}
