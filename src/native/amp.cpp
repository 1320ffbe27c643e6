// Mixed precision: autocast around the forward pass, loss-scaled gradients, and cuDNN's autotuner.
#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include <cmath>

#include "shim.h"

// libtorch 2.4 replaced the per-device autocast calls (set_enabled, set_cpu_enabled,
// set_autocast_gpu_dtype, ...) by ones that take the device type; the old ones are deprecated.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define TW_AUTOCAST_BY_DEVICE 1
#else
#define TW_AUTOCAST_BY_DEVICE 0
#endif

namespace tw {
namespace {

bool autocast_enabled(c10::DeviceType type) {
#if TW_AUTOCAST_BY_DEVICE
  return at::autocast::is_autocast_enabled(type);
#else
  return type == c10::DeviceType::CUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}

c10::ScalarType autocast_dtype(c10::DeviceType type) {
#if TW_AUTOCAST_BY_DEVICE
  return at::autocast::get_autocast_dtype(type);
#else
  return type == c10::DeviceType::CUDA ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
#endif
}

void set_autocast(c10::DeviceType type, bool enabled, c10::ScalarType dtype) {
#if TW_AUTOCAST_BY_DEVICE
  at::autocast::set_autocast_enabled(type, enabled);
  at::autocast::set_autocast_dtype(type, dtype);
#else
  if (type == c10::DeviceType::CUDA) {
    at::autocast::set_enabled(enabled);
    at::autocast::set_autocast_gpu_dtype(dtype);
  } else {
    at::autocast::set_cpu_enabled(enabled);
    at::autocast::set_autocast_cpu_dtype(dtype);
  }
#endif
}

}  // namespace

AutocastScope::AutocastScope(const tw_model& model) {
  if (model.autocast_dtype == c10::ScalarType::Float) return;
  device_type_ = model.device.type();
  was_enabled_ = autocast_enabled(device_type_);
  previous_dtype_ = autocast_dtype(device_type_);
  set_autocast(device_type_, true, model.autocast_dtype);
  at::autocast::increment_nesting();
  active_ = true;
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  try {
    // As torch.autocast's __exit__: the weight casts cached for this scope go at the outermost exit.
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    set_autocast(device_type_, was_enabled_, previous_dtype_);
  } catch (...) {
    // Nothing to report from a destructor; these calls only touch thread-local flags.
  }
}

bool unscale_gradients(const std::vector<torch::Tensor>& parameters, double scale) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> grads;
  for (const auto& p : parameters) {
    if (p.grad().defined()) grads.push_back(p.grad());
  }
  if (grads.empty()) return true;
  const auto options = torch::TensorOptions().dtype(torch::kFloat32).device(grads.front().device());
  auto found_inf = torch::zeros({1}, options);
  if (grads.front().is_cuda()) {
    // GradScaler's fused kernel: unscales every gradient in place and sets found_inf, in a few launches.
    at::_amp_foreach_non_finite_check_and_unscale_(grads, found_inf, torch::full({1}, 1.0 / scale, options));
  } else {
    // libtorch 1.13 has that kernel for CUDA only; on CPU the same, tensor by tensor.
    for (auto& g : grads) {
      found_inf.add_(torch::isfinite(g).all().logical_not());
      g.mul_(1.0 / scale);
    }
  }
  // The one host sync of the step's scaling, as GradScaler.step's found_inf.item().
  return found_inf.item<float>() == 0.0f;
}

}  // namespace tw

extern "C" {

int tw_model_set_precision(tw_model* model, int precision) {
  return tw::guard([&] {
    tw::require(model != nullptr, "model must not be null");
    switch (precision) {
      case TW_PRECISION_FP32:
        model->autocast_dtype = c10::ScalarType::Float;
        break;
      case TW_PRECISION_BF16:
        model->autocast_dtype = c10::ScalarType::BFloat16;
        break;
      case TW_PRECISION_FP16:
        tw::require(model->device.is_cuda(), "fp16 autocast needs a CUDA device (libtorch autocasts to bfloat16 on " +
                                                 model->device.str() + "): use bf16 there");
        model->autocast_dtype = c10::ScalarType::Half;
        break;
      default:
        throw tw::ArgumentError("precision must be TW_PRECISION_FP32, _BF16 or _FP16, got " + std::to_string(precision));
    }
  });
}

int tw_optimizer_set_loss_scale(tw_optimizer* optimizer, double scale) {
  return tw::guard([&] {
    tw::require(optimizer != nullptr, "optimizer must not be null");
    tw::require(scale >= 0.0 && std::isfinite(scale), "the loss scale must be finite and >= 0 (0: off), got " + std::to_string(scale));
    optimizer->loss_scale = scale;
  });
}

int tw_optimizer_last_step(tw_optimizer* optimizer, int* out) {
  return tw::guard([&] {
    tw::require(optimizer != nullptr && out != nullptr, "arguments must not be null");
    *out = optimizer->last_step;
  });
}

int tw_set_cudnn_benchmark(int enabled) {
  return tw::guard([&] { at::globalContext().setBenchmarkCuDNN(enabled != 0); });
}

int tw_get_cudnn_benchmark(int* out) {
  return tw::guard([&] {
    tw::require(out != nullptr, "out must not be null");
    *out = at::globalContext().benchmarkCuDNN() ? 1 : 0;
  });
}

}  // extern "C"
