using Amazon.S3.Model;

namespace TrainingWorkers.Aws.S3;

/// <summary>
/// The tag every checkpoint object carries (files and manifest), so that a bucket lifecycle rule can expire old
/// checkpoints while models and reports under the same job prefix stay: the deploy stack's rule filters on it.
/// </summary>
public static class CheckpointTag
{
    public const string Key = "tw-kind";
    public const string Value = "checkpoint";

    internal static List<Tag> TagSet() => [new Tag { Key = Key, Value = Value }];
}
