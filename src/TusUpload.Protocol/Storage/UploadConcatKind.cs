namespace TusUpload.Protocol.Storage;

public enum UploadConcatKind
{
    None,
    Partial,
    Final,
}
