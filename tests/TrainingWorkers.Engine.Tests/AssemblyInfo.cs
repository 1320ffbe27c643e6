// libtorch's generator (dropout masks) and thread count are process-wide: two trainings at once
// would draw from one generator and break every bit-exact comparison, so these tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
