// Errors, process set-up, seeds and buffers.
#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <sstream>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/detail/CUDAHooksInterface.h>

#include <mutex>

#include "shim.h"

namespace {
thread_local std::string last_error;
}

namespace tw {

void set_error(const std::string& message) { last_error = message; }

std::vector<torch::Tensor> trainable_parameters(torch::nn::Module& module) {
  std::vector<torch::Tensor> result;
  for (auto& p : module.parameters()) {
    if (p.requires_grad()) result.push_back(p);
  }
  return result;
}

void copy_to_buffer(const void* bytes, size_t size, uint8_t** data, int64_t* length) {
  require(data != nullptr && length != nullptr, "data and length must not be null");
  auto* buffer = static_cast<uint8_t*>(std::malloc(size == 0 ? 1 : size));
  if (buffer == nullptr) throw std::bad_alloc();
  if (size > 0) std::memcpy(buffer, bytes, size);
  *data = buffer;
  *length = static_cast<int64_t>(size);
}

void archive_to_buffer(torch::serialize::OutputArchive& archive, uint8_t** data, int64_t* length) {
  std::ostringstream stream;
  archive.save_to(stream);
  const std::string bytes = stream.str();
  copy_to_buffer(bytes.data(), bytes.size(), data, length);
}

void archive_from_buffer(torch::serialize::InputArchive& archive, const uint8_t* data, int64_t length) {
  require(data != nullptr && length > 0, "the serialized state is empty");
  archive.load_from(reinterpret_cast<const char*>(data), static_cast<size_t>(length));
}

}  // namespace tw

extern "C" {

const char* tw_last_error(void) { return last_error.c_str(); }

int tw_init(int threads) {
  return tw::guard([&] {
    // In a .NET process glibc would mmap/munmap every tensor over 128 KB on each op, which
    // makes a training step ~3x slower; keep such blocks in the heap instead.
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
    // libtorch picks 1 thread on a 2-core machine; the caller says how many it wants.
    if (threads > 0) torch::set_num_threads(threads);
  });
}

int tw_get_num_threads(int* out) {
  return tw::guard([&] {
    tw::require(out != nullptr, "out must not be null");
    *out = torch::get_num_threads();
  });
}

int tw_manual_seed(uint64_t seed) {
  return tw::guard([&] { torch::manual_seed(seed); });
}

int tw_rng_get_state(uint8_t** data, int64_t* length) {
  return tw::guard([&] {
    auto generator = at::detail::getDefaultCPUGenerator();
    torch::Tensor state;
    {
      std::lock_guard<std::mutex> lock(generator.mutex());
      state = generator.get_state();
    }
    tw::copy_to_buffer(state.data_ptr<uint8_t>(), static_cast<size_t>(state.numel()), data, length);
  });
}

int tw_rng_set_state(const uint8_t* data, int64_t length) {
  return tw::guard([&] {
    tw::require(data != nullptr && length > 0, "the generator state is empty");
    auto state = torch::empty({length}, torch::kUInt8);
    std::memcpy(state.data_ptr<uint8_t>(), data, static_cast<size_t>(length));
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(state);
  });
}

int tw_torch_version(const char** out) {
  return tw::guard([&] {
    tw::require(out != nullptr, "out must not be null");
    static const std::string version = std::to_string(TORCH_VERSION_MAJOR) + "." +
                                       std::to_string(TORCH_VERSION_MINOR) + "." +
                                       std::to_string(TORCH_VERSION_PATCH);
    *out = version.c_str();
  });
}

int tw_cuda_device_count(int* out) {
  return tw::guard([&] {
    tw::require(out != nullptr, "out must not be null");
    *out = torch::cuda::is_available() ? static_cast<int>(torch::cuda::device_count()) : 0;
  });
}

int tw_cuda_build_info(int* cuda_runtime, int64_t* cudnn) {
  return tw::guard([&] {
    tw::require(cuda_runtime != nullptr && cudnn != nullptr, "cuda_runtime and cudnn must not be null");
    *cuda_runtime = 0;
    *cudnn = 0;
    const auto& hooks = at::detail::getCUDAHooks();
    // Without libtorch_cuda the hooks are the CPU stub, whose version queries throw.
    try {
      *cuda_runtime = static_cast<int>(hooks.versionCUDART());
    } catch (const c10::Error&) {
      return;
    }
    if (hooks.compiledWithCuDNN()) *cudnn = static_cast<int64_t>(hooks.versionCuDNN());
  });
}

int tw_buffer_free(uint8_t* data) {
  std::free(data);
  return TW_OK;
}

}  // extern "C"
