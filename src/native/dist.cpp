// Data-parallel training over libtorch's c10d: TCPStore rendezvous, Gloo on CPU, NCCL on CUDA.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>

// libtorch defines USE_C10D_GLOO / USE_C10D_NCCL for all its users, with or without the headers behind
// them; CMakeLists.txt defines TW_WITH_GLOO / TW_WITH_NCCL only where it found those headers.
#if defined(TW_WITH_GLOO) && __has_include(<gloo/algorithm.h>)
#define TW_GLOO 1
#else
#define TW_GLOO 0
#endif
#ifdef TW_WITH_NCCL
#define TW_NCCL 1
#else
#define TW_NCCL 0
#endif
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#if TW_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#if TW_NCCL
#include <c10/cuda/CUDAFunctions.h>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include "shim.h"

namespace tw {
namespace {

// libtorch 2.x moved the collectives from ProcessGroup to Backend; both have the same calls.
#if TORCH_VERSION_MAJOR >= 2
using Collectives = c10d::Backend;
#else
using Collectives = c10d::ProcessGroup;
#endif

using Clock = std::chrono::steady_clock;

struct Group {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<Collectives> collectives;
  torch::Device device{torch::kCPU};
  int rank = 0;
  int world_size = 1;
  std::atomic<bool> stop_requested{false};
  bool stop_agreed = false;
  double sync_seconds = 0.0;
  int64_t sync_steps = 0;
  int64_t sync_bytes = 0;

#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 7)
  // NCCL warns (and may leak) when a group is destroyed without shutdown(), which Backend has since 2.7.
  ~Group() {
    try {
      if (collectives) collectives->shutdown();
    } catch (...) {
    }
  }
#endif

  void wait(c10::intrusive_ptr<c10d::Work> work) const {
    // Gloo raises here when a peer dies or the group's timeout passes. NCCL's wait only orders the
    // current CUDA stream after the collective; its watchdog thread enforces the timeout and, with
    // TORCH_NCCL_ASYNC_ERROR_HANDLING=1 (the launcher sets it), ends the process, which the launcher sees.
    work->wait();
  }

  void all_reduce(torch::Tensor& t, c10d::ReduceOp op = c10d::ReduceOp::SUM) {
    std::vector<torch::Tensor> tensors{t};
    c10d::AllreduceOptions options;
    options.reduceOp = op;
    wait(collectives->allreduce(tensors, options));
  }

  void broadcast(torch::Tensor& t) {
    std::vector<torch::Tensor> tensors{t};
    wait(collectives->broadcast(tensors));
  }

  /// Broadcasts rank 0's tensors in one flat buffer per dtype rather than one call per tensor.
  void broadcast_coalesced(const std::vector<torch::Tensor>& tensors) {
    torch::NoGradGuard no_grad;
    std::map<c10::ScalarType, std::vector<torch::Tensor>> by_type;
    for (const auto& t : tensors) by_type[t.scalar_type()].push_back(t);
    for (auto& [type, group] : by_type) {
      std::vector<torch::Tensor> flat_views;
      for (auto& t : group) flat_views.push_back(t.detach().reshape({-1}).to(device));
      auto flat = torch::cat(flat_views);
      broadcast(flat);
      int64_t offset = 0;
      for (auto& t : group) {
        t.copy_(flat.narrow(0, offset, t.numel()).view_as(t));
        offset += t.numel();
      }
    }
  }

  /// Averages the gradients over the ranks, in flat buckets, and carries the stop request along.
  void average_gradients(const std::vector<torch::Tensor>& parameters, int64_t bucket_bytes) {
    torch::NoGradGuard no_grad;
    const auto started = Clock::now();
    // A trainable parameter that took no part in this forward has no gradient: use zeros, so
    // every rank contributes the same layout to the all-reduce.
    std::vector<torch::Tensor> grads;
    for (const auto& p : parameters) {
      auto& g = p.mutable_grad();
      if (!g.defined()) g = torch::zeros_like(p);
      grads.push_back(g);
    }
    struct Bucket {
      std::vector<torch::Tensor> grads;
      torch::Tensor flat;
      c10::intrusive_ptr<c10d::Work> work;
    };
    std::vector<Bucket> buckets;
    int64_t bytes_now = 0;
    for (auto& g : grads) {
      const int64_t bytes = g.numel() * static_cast<int64_t>(g.element_size());
      if (buckets.empty() || buckets.back().grads.front().scalar_type() != g.scalar_type() ||
          bytes_now + bytes > bucket_bytes) {
        buckets.emplace_back();
        bytes_now = 0;
      }
      buckets.back().grads.push_back(g);
      bytes_now += bytes;
    }
    // The first bucket carries one more value: how many ranks asked to stop.
    int64_t total_bytes = 0;
    for (size_t b = 0; b < buckets.size(); ++b) {
      auto& bucket = buckets[b];
      std::vector<torch::Tensor> views;
      for (auto& g : bucket.grads) views.push_back(g.reshape({-1}));
      if (b == 0) views.push_back(torch::full({1}, stop_requested.load() ? 1.0 : 0.0, views.front().options()));
      bucket.flat = torch::cat(views);
      total_bytes += bucket.flat.numel() * static_cast<int64_t>(bucket.flat.element_size());
      std::vector<torch::Tensor> tensors{bucket.flat};
      bucket.work = collectives->allreduce(tensors);  // all buckets in flight, then wait in order
    }
    for (size_t b = 0; b < buckets.size(); ++b) {
      auto& bucket = buckets[b];
      wait(bucket.work);
      int64_t offset = 0;
      for (auto& g : bucket.grads) {
        g.copy_(bucket.flat.narrow(0, offset, g.numel()).view_as(g)).div_(world_size);
        offset += g.numel();
      }
      if (b == 0 && bucket.flat[offset].item<double>() > 0.5) stop_agreed = true;
    }
    sync_seconds += std::chrono::duration<double>(Clock::now() - started).count();
    sync_steps += 1;
    sync_bytes = total_bytes;
  }
};

c10::intrusive_ptr<Collectives> make_collectives(const c10::intrusive_ptr<c10d::Store>& store, const torch::Device& device,
                                                 const std::string& master_addr, int rank, int world_size,
                                                 std::chrono::milliseconds timeout) {
  if (device.is_cpu()) {
#if TW_GLOO
    auto options = c10d::ProcessGroupGloo::Options::create(timeout);
    // As torch.distributed: GLOO_SOCKET_IFNAME names the interface; a loopback master means
    // one machine, so bind to loopback; otherwise the address this host's name resolves to.
    const char* interface = std::getenv("GLOO_SOCKET_IFNAME");
    if (interface != nullptr && *interface != '\0') {
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(interface));
    } else if (master_addr == "localhost" || master_addr.rfind("127.", 0) == 0) {
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    } else {
      options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    }
    options->threads = 2;
    return c10::make_intrusive<c10d::ProcessGroupGloo>(store, rank, world_size, options);
#else
    throw ArgumentError("this shim was built without Gloo (no gloo headers beside libtorch; Debian: libgloo-dev): data-parallel training on CPU is unavailable");
#endif
  }
  require(device.is_cuda(), "data-parallel training runs on cpu or cuda, not " + device.str());
#if TW_NCCL
  require(device.has_index(), "a rank's CUDA device needs an index (cuda:LOCAL_RANK)");
  require(device.index() < static_cast<int>(torch::cuda::device_count()),
          "rank " + std::to_string(rank) + " wants " + device.str() + " but libtorch sees " +
              std::to_string(torch::cuda::device_count()) + " CUDA device(s)");
  c10::cuda::set_device(device.index());
  auto options = c10d::ProcessGroupNCCL::Options::create();
  options->timeout = timeout;
  return c10::make_intrusive<c10d::ProcessGroupNCCL>(store, rank, world_size, options);
#else
  throw ArgumentError("this shim was built without NCCL: build it against a CUDA libtorch with nccl.h (see the README)");
#endif
}

}  // namespace
}  // namespace tw

struct tw_process_group {
  std::shared_ptr<tw::Group> group;
};

extern "C" {

int tw_dist_has_backend(const char* backend, int* out) {
  return tw::guard([&] {
    tw::require(backend != nullptr && out != nullptr, "arguments must not be null");
    const std::string name(backend);
    *out = 0;
#if TW_GLOO
    if (name == "gloo") *out = 1;
#endif
#if TW_NCCL
    if (name == "nccl") *out = 1;
#endif
  });
}

int tw_dist_create(const char* device, const char* master_addr, int master_port, int rank, int world_size,
                   int timeout_ms, tw_process_group** out) {
  return tw::guard([&] {
    tw::require(device != nullptr && master_addr != nullptr && out != nullptr, "arguments must not be null");
    tw::require(world_size >= 1, "world_size must be >= 1, got " + std::to_string(world_size));
    tw::require(rank >= 0 && rank < world_size,
                "rank must be in [0, " + std::to_string(world_size) + "), got " + std::to_string(rank));
    tw::require(master_port > 0 && master_port < 65536, "master_port must be in 1..65535, got " + std::to_string(master_port));
    tw::require(timeout_ms > 0, "the timeout must be > 0 ms");
    const std::chrono::milliseconds timeout(timeout_ms);
    auto group = std::make_shared<tw::Group>();
    group->device = torch::Device(device);
    group->rank = rank;
    group->world_size = world_size;
    c10d::TCPStoreOptions options;
    options.port = static_cast<uint16_t>(master_port);
    options.isServer = rank == 0;
    options.numWorkers = world_size;
    options.waitWorkers = true;  // rank 0 waits, up to the timeout, for every rank to join
    options.timeout = timeout;
    group->store = c10::make_intrusive<c10d::TCPStore>(master_addr, options);
    group->collectives = tw::make_collectives(group->store, group->device, master_addr, rank, world_size, timeout);
    *out = new tw_process_group{std::move(group)};
  });
}

int tw_dist_free(tw_process_group* group) {
  return tw::guard([&] { delete group; });
}

int tw_dist_attach(tw_process_group* group, tw_model* model, tw_optimizer* optimizer, int64_t bucket_bytes) {
  return tw::guard([&] {
    tw::require(group != nullptr && model != nullptr && optimizer != nullptr, "arguments must not be null");
    tw::require(optimizer->model == model, "the optimizer does not belong to this model");
    tw::require(bucket_bytes >= 1024, "bucket_bytes must be >= 1024");
    auto g = group->group;
    auto state = tw::parameters_of(model);
    const auto buffers = tw::buffers_of(model);
    state.insert(state.end(), buffers.begin(), buffers.end());
    g->broadcast_coalesced(state);
    optimizer->sync_gradients = [g, model, bucket_bytes](const std::vector<torch::Tensor>& parameters) {
      g->average_gradients(parameters, bucket_bytes);
      // Buffers follow rank 0 (as DDP's broadcast_buffers): copied after each forward rather than
      // before the next, which gives the next forward the same values and evaluation too.
      const auto model_buffers = tw::buffers_of(model);
      if (g->world_size > 1 && !model_buffers.empty()) g->broadcast_coalesced(model_buffers);
    };
  });
}

int tw_dist_all_reduce(tw_process_group* group, void* values, int64_t count, int dtype, int op) {
  return tw::guard([&] {
    tw::require(group != nullptr && values != nullptr, "arguments must not be null");
    tw::require(count > 0, "count must be > 0");
    tw::require(dtype == TW_FLOAT64 || dtype == TW_FLOAT32, "dtype must be TW_FLOAT64 or TW_FLOAT32");
    c10d::ReduceOp reduce = c10d::ReduceOp::SUM;
    if (op == TW_REDUCE_MAX) reduce = c10d::ReduceOp::MAX;
    else if (op == TW_REDUCE_MIN) reduce = c10d::ReduceOp::MIN;
    else tw::require(op == TW_REDUCE_SUM, "op must be TW_REDUCE_SUM, TW_REDUCE_MAX or TW_REDUCE_MIN");
    const auto type = dtype == TW_FLOAT64 ? torch::kFloat64 : torch::kFloat32;
    auto host = torch::from_blob(values, {count}, type);
    auto t = host.to(group->group->device, /*non_blocking=*/false, /*copy=*/true);
    group->group->all_reduce(t, reduce);
    host.copy_(t.to(torch::kCPU));
  });
}

int tw_dist_broadcast_bytes(tw_process_group* group, const uint8_t* data, int64_t length, uint8_t** out,
                            int64_t* out_length) {
  return tw::guard([&] {
    tw::require(group != nullptr && out != nullptr && out_length != nullptr, "arguments must not be null");
    auto& g = *group->group;
    const bool root = g.rank == 0;
    tw::require(!root || length == 0 || data != nullptr, "data must not be null");
    auto size = torch::full({1}, root ? length : int64_t{0}, torch::TensorOptions().dtype(torch::kInt64).device(g.device));
    g.broadcast(size);
    const int64_t n = size.item<int64_t>();
    auto* buffer = static_cast<uint8_t*>(std::malloc(n == 0 ? 1 : static_cast<size_t>(n)));
    if (buffer == nullptr) throw std::bad_alloc();
    if (n > 0) {
      auto bytes = root ? torch::from_blob(const_cast<uint8_t*>(data), {n}, torch::kUInt8).to(g.device, false, true)
                        : torch::empty({n}, torch::TensorOptions().dtype(torch::kUInt8).device(g.device));
      try {
        g.broadcast(bytes);
      } catch (...) {
        std::free(buffer);
        throw;
      }
      auto host = bytes.to(torch::kCPU).contiguous();
      std::memcpy(buffer, host.data_ptr<uint8_t>(), static_cast<size_t>(n));
    }
    *out = buffer;
    *out_length = n;
  });
}

int tw_dist_barrier(tw_process_group* group) {
  return tw::guard([&] {
    tw::require(group != nullptr, "group must not be null");
    // A one-value all-reduce rather than barrier(): NCCL's barrier guesses a device per rank.
    auto t = torch::zeros({1}, torch::TensorOptions().dtype(torch::kFloat32).device(group->group->device));
    group->group->all_reduce(t);
  });
}

int tw_dist_request_stop(tw_process_group* group) {
  return tw::guard([&] {
    tw::require(group != nullptr, "group must not be null");
    group->group->stop_requested = true;
  });
}

int tw_dist_stop_agreed(tw_process_group* group, int* out) {
  return tw::guard([&] {
    tw::require(group != nullptr && out != nullptr, "arguments must not be null");
    *out = group->group->stop_agreed ? 1 : 0;
  });
}

int tw_optimizer_set_accumulation(tw_optimizer* optimizer, double loss_weight, int accumulate_only) {
  return tw::guard([&] {
    tw::require(optimizer != nullptr, "optimizer must not be null");
    tw::require(loss_weight > 0.0, "loss_weight must be > 0");
    optimizer->loss_weight = loss_weight;
    optimizer->accumulate_only = accumulate_only != 0;
  });
}

int tw_model_parameters_copy(tw_model* model, float* out, int64_t capacity, int64_t* count) {
  return tw::guard([&] {
    tw::require(model != nullptr && count != nullptr, "arguments must not be null");
    const auto parameters = tw::parameters_of(model);
    int64_t total = 0;
    for (const auto& p : parameters) total += p.numel();
    *count = total;
    if (out == nullptr) return;
    tw::require(capacity >= total, "out holds " + std::to_string(capacity) + " values, the model has " + std::to_string(total));
    int64_t offset = 0;
    for (const auto& p : parameters) {
      auto values = p.detach().to(torch::kCPU, torch::kFloat32).contiguous();
      std::memcpy(out + offset, values.data_ptr<float>(), sizeof(float) * static_cast<size_t>(values.numel()));
      offset += values.numel();
    }
  });
}

int tw_dist_sync_stats(tw_process_group* group, double* seconds, int64_t* steps, int64_t* bytes_per_step) {
  return tw::guard([&] {
    tw::require(group != nullptr && seconds != nullptr && steps != nullptr && bytes_per_step != nullptr,
                "arguments must not be null");
    *seconds = group->group->sync_seconds;
    *steps = group->group->sync_steps;
    *bytes_per_step = group->group->sync_bytes;
  });
}

}  // extern "C"
