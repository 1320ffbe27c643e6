namespace TrainingWorkers.Cli.Doctor;

/// <summary>
/// What the caller expects of this machine beyond working: at least <see cref="MinGpus"/> CUDA devices (a GPU
/// instance whose driver failed would otherwise look like a CPU machine), and with <see cref="CudaBuild"/> a
/// libtorch built with CUDA and cuDNN and a shim with NCCL, checkable on a machine without a GPU (an image build).
/// </summary>
internal sealed record DoctorRequirements(int MinGpus, bool CudaBuild);
