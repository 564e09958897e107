namespace Amct.Engine.Data.Images;

/// <summary>
/// A read-only view of a stream that throws <see cref="EndOfStreamException"/> when a reader asks for bytes after the
/// last one. stb_image reads zeros past the end of a file and carries on: a truncated image would decode with black
/// filler, and some damaged JPEG headers make it loop forever reading past the end. A complete image never needs a
/// byte past its end (checked on every test image and the 300 imagenet-dev photos), so the first such read ends
/// decoding.
/// </summary>
internal sealed class EndGuardStream(Stream inner) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => inner.CanSeek;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = inner.Read(buffer, offset, count);
        return read == 0 && count > 0 ? throw new EndOfStreamException("the decoder read past the end of the file") : read;
    }

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
