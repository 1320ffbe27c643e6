using System.CommandLine;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Engine.Data.Shards;

namespace TrainingWorkers.Cli;

/// <summary><c>tw dataset pack SOURCE OUTPUT</c>: an image folder or a CSV of image paths and labels as webdataset shards.</summary>
internal static class DatasetCommand
{
    public static Command Create()
    {
        var source = new Argument<string>("source") { Description = "an image folder (one subfolder per class) or a CSV file of 'path,label' rows (paths relative to it)" };
        var output = new Argument<DirectoryInfo>("output") { Description = "the directory to write shard-NNNNNN.tar files and dataset.json to (then upload it: aws s3 cp --recursive)" };
        var perShard = new Option<int>("--samples-per-shard") { Description = "samples in each shard (more shards than ranks: each rank reads its own)", DefaultValueFactory = _ => 1000 };
        var seed = new Option<ulong>("--seed") { Description = "the order samples are shuffled into before sharding", DefaultValueFactory = _ => 42 };
        var pack = new Command("pack", "write an image folder or CSV as tar shards (the WebDataset layout) for data.format webdataset") { source, output, perShard, seed };
        pack.SetAction(parse =>
        {
            if (parse.GetValue(perShard) < 1) return Fail("--samples-per-shard: must be at least 1");
            try
            {
                var manifest = ShardPacker.Pack(parse.GetValue(source)!, parse.GetValue(output)!.FullName, parse.GetValue(perShard), parse.GetValue(seed));
                Console.WriteLine($"{manifest.Samples} samples of {manifest.Classes.Count} classes in {manifest.Shards.Count} shards: {parse.GetValue(output)!.FullName}");
                return ExitCodes.Success;
            }
            catch (JobInputException e)
            {
                return Fail(e.Message);
            }
            catch (AggregateException e) when (e.InnerExceptions[0] is JobInputException bad)
            {
                return Fail(bad.Message);
            }
        });
        return new Command("dataset", "prepare data sets") { pack };
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"tw dataset pack: {message}");
        return ExitCodes.InvalidInput;
    }
}
