// Internals shared by the shim's translation units. Nothing here is part of the C ABI.
#pragma once

#include <torch/script.h>
#include <torch/torch.h>

#include <memory>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "tw.h"

namespace tw {

/// A mistake in what the caller passed (layer text, option, size): reported as TW_E_ARGUMENT.
struct ArgumentError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

void set_error(const std::string& message);

/// Runs `body`, turning every exception into a status code and a thread-local message.
template <class Body>
int guard(Body&& body) noexcept {
  try {
    body();
    return TW_OK;
  } catch (const ArgumentError& e) {
    set_error(e.what());
    return TW_E_ARGUMENT;
  } catch (const c10::Error& e) {
    set_error(e.what_without_backtrace());
    return TW_E_TORCH;
  } catch (const std::exception& e) {
    set_error(e.what());
    return TW_E_INTERNAL;
  } catch (...) {
    set_error("unknown C++ exception");
    return TW_E_INTERNAL;
  }
}

inline void require(bool condition, const std::string& message) {
  if (!condition) throw ArgumentError(message);
}

/// The network: a feature extractor and a head, so transfer learning can address each by name.
struct NetImpl : torch::nn::Module {
  NetImpl() : backbone(register_module("backbone", torch::nn::Sequential())),
              head(register_module("head", torch::nn::Sequential())) {}
  torch::Tensor forward(torch::Tensor x) {
    // libtorch refuses forward() on an empty Sequential; a model may have no head (or no backbone).
    if (!backbone->is_empty()) x = backbone->forward(x);
    return head->is_empty() ? x : head->forward(x);
  }
  torch::nn::Sequential backbone;
  torch::nn::Sequential head;
};
TORCH_MODULE(Net);

/// conv3x3-bn-relu-conv3x3-bn plus a shortcut (1x1 conv + bn when the shape changes), then relu.
struct ResidualBlockImpl : torch::nn::Module {
  ResidualBlockImpl(int64_t in, int64_t out, int64_t stride);
  torch::Tensor forward(torch::Tensor x);
  torch::nn::Conv2d conv1;
  torch::nn::BatchNorm2d bn1;
  torch::nn::Conv2d conv2;
  torch::nn::BatchNorm2d bn2;
  torch::nn::Sequential shortcut{nullptr};
};
TORCH_MODULE(ResidualBlock);

/// Parses the layer list (grammar in model.cpp) into `net`; returns the input shape per sample.
std::vector<int64_t> build_layers(const std::string& text, Net& net, bool allow_empty);

std::vector<torch::Tensor> trainable_parameters(torch::nn::Module& module);

/// Every parameter and buffer (batch-norm statistics) of a model, in a stable order.
std::vector<torch::Tensor> parameters_of(tw_model* model);
std::vector<torch::Tensor> buffers_of(tw_model* model);

/// Parameters by name: "script.<name>" for a TorchScript module, "backbone.<i>..." and "head.<i>..." for native layers.
std::vector<std::pair<std::string, torch::Tensor>> named_parameters_of(tw_model* model);
std::vector<std::pair<std::string, torch::Tensor>> named_buffers_of(tw_model* model);

/// The model's output for a batch (train or eval mode as set).
torch::Tensor forward(tw_model* model, const torch::Tensor& x);
void set_training(tw_model* model, bool training);

/// The parts transfer learning names: "backbone" (a TorchScript backbone and the native backbone layers) and "head".
bool in_part(const std::string& parameter, const std::string& part);

/// Autocast over a scope (the forward pass and loss), as `with torch.autocast(...)`: enabled for
/// the model's device and precision on entry; on exit the previous state is back and the cast
/// cache cleared. Does nothing for a float32 model.
class AutocastScope {
 public:
  explicit AutocastScope(const tw_model& model);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false;
  c10::DeviceType device_type_ = c10::DeviceType::CPU;
  bool was_enabled_ = false;
  c10::ScalarType previous_dtype_ = c10::ScalarType::Float;
};

/// Divides the gradients by `scale` and tells whether every one is finite (GradScaler.unscale_).
bool unscale_gradients(const std::vector<torch::Tensor>& parameters, double scale);

/// Copies bytes into a malloc'd buffer the caller frees with tw_buffer_free.
void copy_to_buffer(const void* bytes, size_t size, uint8_t** data, int64_t* length);

/// Copies an archive's bytes into a malloc'd buffer the caller frees with tw_buffer_free.
void archive_to_buffer(torch::serialize::OutputArchive& archive, uint8_t** data, int64_t* length);
void archive_from_buffer(torch::serialize::InputArchive& archive, const uint8_t* data, int64_t length);

}  // namespace tw

struct tw_model {
  tw::Net net{nullptr};
  // A TorchScript model, or the backbone under a native head; `script_method` is what is called.
  std::shared_ptr<torch::jit::Module> script;
  std::string script_method = "forward";
  // When every backbone parameter is frozen the backbone runs in eval mode (batch-norm statistics fixed).
  bool backbone_frozen = false;
  // The train/eval mode last set, so the training step does not walk the module tree every call.
  int mode = -1;  // -1 unknown, 0 eval, 1 train
  torch::Device device{torch::kCPU};
  // Autocast dtype of the forward pass and loss (tw_model_set_precision); Float means none.
  c10::ScalarType autocast_dtype = c10::ScalarType::Float;
  // On CUDA: page-locked staging for the batch's inputs and targets, reused across steps.
  torch::Tensor pinned_x;
  torch::Tensor pinned_y;
  bool classification = true;
  std::vector<int64_t> input_shape;  // per sample, e.g. {1, 28, 28} or {784}
  int64_t input_size = 0;
  int64_t output_size = 0;
};

struct tw_optimizer {
  tw_model* model = nullptr;
  // Set by data-parallel training: averages the gradients across ranks between backward and step.
  std::function<void(const std::vector<torch::Tensor>& parameters)> sync_gradients;
  // Gradient accumulation (tw_optimizer_set_accumulation): the weight of the next batches' loss,
  // whether they only add to the gradients (no sync, clip or step), and whether some already did.
  double loss_weight = 1.0;
  bool accumulate_only = false;
  bool gradients_pending = false;
  // Loss scaling (tw_optimizer_set_loss_scale): 0 is off. last_step is a tw_step_outcome.
  double loss_scale = 0.0;
  int last_step = TW_STEP_ACCUMULATED;
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  std::vector<torch::Tensor> parameters;  // trainable, in module order
  std::vector<torch::Tensor> l1_weights;  // weight matrices and kernels (dim >= 2)
  double l1 = 0.0;
  double clip_norm = 0.0;
  std::vector<double> group_scales;  // per parameter group: backbone, head
  double base_lr = 0.0;
};

namespace tw {
void apply_lr(tw_optimizer& optimizer, double lr);
}
