namespace TrainingWorkers.Worker;

/// <summary>One of the worker's job slots: its index (which picks the TCPStore port) and its share of the GPUs.</summary>
internal sealed record JobSlot(int Index, IReadOnlyList<string> Gpus, int Processes);
