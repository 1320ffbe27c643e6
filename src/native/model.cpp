// Models built from a layer list, their state, and the train and eval steps.
#include <cstring>
#include <sstream>

#include "shim.h"

namespace tw {

namespace nn = torch::nn;

ResidualBlockImpl::ResidualBlockImpl(int64_t in, int64_t out, int64_t stride)
    : conv1(register_module("conv1", nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false)))),
      bn1(register_module("bn1", nn::BatchNorm2d(out))),
      conv2(register_module("conv2", nn::Conv2d(nn::Conv2dOptions(out, out, 3).padding(1).bias(false)))),
      bn2(register_module("bn2", nn::BatchNorm2d(out))) {
  if (in != out || stride != 1) {
    shortcut = register_module("shortcut", nn::Sequential(nn::Conv2d(nn::Conv2dOptions(in, out, 1).stride(stride).bias(false)),
                                                          nn::BatchNorm2d(out)));
  }
}

torch::Tensor ResidualBlockImpl::forward(torch::Tensor x) {
  auto y = torch::relu(bn1(conv1(x)));
  y = bn2(conv2(y));
  return torch::relu(y + (shortcut.is_empty() ? x : shortcut->forward(x)));
}

namespace {



int64_t to_int(const std::string& token, const std::string& line) {
  try {
    size_t used = 0;
    const int64_t value = std::stoll(token, &used);
    require(used == token.size(), "");
    return value;
  } catch (const std::exception&) {
    throw ArgumentError("layer '" + line + "': '" + token + "' is not an integer");
  }
}

double to_double(const std::string& token, const std::string& line) {
  try {
    size_t used = 0;
    const double value = std::stod(token, &used);
    require(used == token.size(), "");
    return value;
  } catch (const std::exception&) {
    throw ArgumentError("layer '" + line + "': '" + token + "' is not a number");
  }
}

}  // namespace

/*
 * One layer per line; blank lines are skipped. Layers before `head` form the backbone.
 *   input C H W | input F        the shape of one sample (required, first)
 *   linear IN OUT                conv2d IN OUT K [STRIDE]  (padding K/2)
 *   batchnorm1d F                batchnorm2d C
 *   maxpool2d K                  global_avgpool            flatten
 *   relu | tanh | gelu | swish | prelu | leaky_relu [SLOPE]
 *   dropout P                    resblock IN OUT STRIDE    head
 */
std::vector<int64_t> build_layers(const std::string& text, Net& net, bool allow_empty) {
  std::vector<int64_t> input_shape;
  nn::Sequential* target = &net->backbone;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::vector<std::string> t;
    for (std::string w; words >> w;) t.push_back(w);
    if (t.empty()) continue;
    const std::string& kind = t[0];
    auto arity = [&](size_t min, size_t max) {
      require(t.size() - 1 >= min && t.size() - 1 <= max,
              "layer '" + line + "': expected " + std::to_string(min) +
                  (min == max ? "" : "-" + std::to_string(max)) + " arguments");
    };
    auto i = [&](size_t k) { return to_int(t[k], line); };
    if (kind == "input") {
      arity(1, 3);
      for (size_t k = 1; k < t.size(); ++k) input_shape.push_back(i(k));
    } else if (kind == "linear") {
      arity(2, 2);
      (*target)->push_back(nn::Linear(i(1), i(2)));
    } else if (kind == "conv2d") {
      arity(3, 4);
      const int64_t k = i(3);
      (*target)->push_back(nn::Conv2d(nn::Conv2dOptions(i(1), i(2), k).stride(t.size() > 4 ? i(4) : 1).padding(k / 2)));
    } else if (kind == "batchnorm1d") {
      arity(1, 1);
      (*target)->push_back(nn::BatchNorm1d(i(1)));
    } else if (kind == "batchnorm2d") {
      arity(1, 1);
      (*target)->push_back(nn::BatchNorm2d(i(1)));
    } else if (kind == "maxpool2d") {
      arity(1, 1);
      (*target)->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(i(1))));
    } else if (kind == "global_avgpool") {
      arity(0, 0);
      (*target)->push_back(nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions({1, 1})));
      (*target)->push_back(nn::Flatten());
    } else if (kind == "flatten") {
      arity(0, 0);
      (*target)->push_back(nn::Flatten());
    } else if (kind == "relu") {
      arity(0, 0);
      (*target)->push_back(nn::ReLU());
    } else if (kind == "tanh") {
      arity(0, 0);
      (*target)->push_back(nn::Tanh());
    } else if (kind == "gelu") {
      arity(0, 0);
      (*target)->push_back(nn::GELU());
    } else if (kind == "swish") {
      arity(0, 0);
      (*target)->push_back(nn::SiLU());
    } else if (kind == "prelu") {
      arity(0, 0);
      (*target)->push_back(nn::PReLU());
    } else if (kind == "leaky_relu") {
      arity(0, 1);
      (*target)->push_back(nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(t.size() > 1 ? to_double(t[1], line) : 0.01)));
    } else if (kind == "dropout") {
      arity(1, 1);
      const double p = to_double(t[1], line);
      require(p >= 0.0 && p < 1.0, "layer '" + line + "': dropout must be in [0, 1)");
      (*target)->push_back(nn::Dropout(p));
    } else if (kind == "resblock") {
      arity(3, 3);
      (*target)->push_back(ResidualBlock(i(1), i(2), i(3)));
    } else if (kind == "head") {
      arity(0, 0);
      require(target == &net->backbone, "'head' appears twice");
      target = &net->head;
    } else {
      throw ArgumentError("unknown layer '" + kind + "'");
    }
  }
  require(!input_shape.empty(), "the layer list must start with 'input'");
  require(allow_empty || net->backbone->size() + net->head->size() > 0, "the layer list has no layers");
  return input_shape;
}

std::vector<std::pair<std::string, torch::Tensor>> named_parameters_of(tw_model* model) {
  std::vector<std::pair<std::string, torch::Tensor>> result;
  if (model->script) {
    for (const auto& p : model->script->named_parameters(/*recurse=*/true)) result.emplace_back("script." + p.name, p.value);
  }
  for (const auto& p : model->net->named_parameters()) result.emplace_back(p.key(), p.value());
  return result;
}

std::vector<std::pair<std::string, torch::Tensor>> named_buffers_of(tw_model* model) {
  std::vector<std::pair<std::string, torch::Tensor>> result;
  if (model->script) {
    for (const auto& b : model->script->named_buffers(/*recurse=*/true)) result.emplace_back("script." + b.name, b.value);
  }
  for (const auto& b : model->net->named_buffers()) result.emplace_back(b.key(), b.value());
  return result;
}

std::vector<torch::Tensor> parameters_of(tw_model* model) {
  std::vector<torch::Tensor> result;
  for (auto& [name, p] : named_parameters_of(model)) result.push_back(p);
  return result;
}

std::vector<torch::Tensor> buffers_of(tw_model* model) {
  std::vector<torch::Tensor> result;
  for (auto& [name, b] : named_buffers_of(model)) result.push_back(b);
  return result;
}

bool in_part(const std::string& parameter, const std::string& part) {
  if (part == "backbone") return parameter.rfind("script.", 0) == 0 || parameter.rfind("backbone.", 0) == 0;
  return parameter.rfind(part + ".", 0) == 0;
}

torch::Tensor forward(tw_model* model, const torch::Tensor& x) {
  auto y = x;
  if (model->script) y = model->script->get_method(model->script_method)({y}).toTensor();
  return model->net->forward(y);
}

void set_training(tw_model* model, bool training) {
  if (model->mode == static_cast<int>(training)) return;
  model->mode = static_cast<int>(training);
  model->net->train(training);
  if (model->script) model->script->train(training);
  if (training && model->backbone_frozen) {
    model->net->backbone->eval();
    if (model->script) model->script->eval();
  }
}

namespace {

/*
 * The caller's batch as a tensor on the model's device. On CPU libtorch reads the caller's (pinned
 * managed) array in place. On CUDA the batch is first copied into page-locked host memory, kept on
 * the model and grown when a batch is larger, so the copy to the GPU can be asynchronous. Reusing
 * that memory in the next call is safe: every step ends with a read of its loss on the host, which
 * waits for the stream, and so for this copy.
 */
torch::Tensor to_device(tw_model* m, torch::Tensor& staging, void* data, std::vector<int64_t> shape, c10::ScalarType type) {
  auto host = torch::from_blob(data, shape, type);
  if (m->device.is_cpu()) return host;
  const int64_t count = host.numel();
  if (!staging.defined() || staging.numel() < count || staging.scalar_type() != type) {
    staging = torch::empty({count}, torch::TensorOptions().dtype(type).pinned_memory(true));
  }
  auto pinned = staging.narrow(0, 0, count).view(shape);
  pinned.copy_(host);
  return pinned.to(m->device, /*non_blocking=*/true);
}

torch::Tensor input_tensor(tw_model* m, const float* x, int64_t n) {
  std::vector<int64_t> shape{n};
  shape.insert(shape.end(), m->input_shape.begin(), m->input_shape.end());
  return to_device(m, m->pinned_x, const_cast<float*>(x), shape, torch::kFloat32);
}

torch::Tensor target_tensor(tw_model* m, const void* y, int64_t n) {
  return m->classification ? to_device(m, m->pinned_y, const_cast<void*>(y), {n}, torch::kInt64)
                           : to_device(m, m->pinned_y, const_cast<void*>(y), {n, m->output_size}, torch::kFloat32);
}

torch::Tensor loss_of(tw_model* m, const torch::Tensor& out, const torch::Tensor& y, bool sum) {
  namespace F = torch::nn::functional;
  if (m->classification) {
    return sum ? F::cross_entropy(out, y, F::CrossEntropyFuncOptions().reduction(torch::kSum))
               : F::cross_entropy(out, y);
  }
  return sum ? F::mse_loss(out, y, F::MSELossFuncOptions().reduction(torch::kSum)) : F::mse_loss(out, y);
}

void check_batch(tw_model* m, const float* x, const void* y, int64_t n) {
  require(m != nullptr, "model must not be null");
  require(x != nullptr && y != nullptr, "x and y must not be null");
  require(n > 0, "the batch is empty");
}

}  // namespace
}  // namespace tw

extern "C" {

int tw_model_create(const char* layers, const char* loss, const char* device, const char* script_path,
                    const char* script_method, tw_model** out) {
  return tw::guard([&] {
    tw::require(layers != nullptr && loss != nullptr && device != nullptr && out != nullptr,
                "arguments must not be null");
    const std::string loss_name(loss);
    tw::require(loss_name == "cross_entropy" || loss_name == "mse",
                "loss must be cross_entropy or mse, got '" + loss_name + "'");
    auto model = std::make_unique<tw_model>();
    model->device = torch::Device(device);
    tw::require(!model->device.is_cuda() || torch::cuda::is_available(),
                std::string("device '") + device + "' was asked for but libtorch sees no CUDA device");
    model->classification = loss_name == "cross_entropy";
    model->net = tw::Net();
    model->input_shape = tw::build_layers(layers, model->net, /*allow_empty=*/script_path != nullptr);
    model->input_size = 1;
    for (auto d : model->input_shape) model->input_size *= d;
    if (script_path != nullptr) {
      try {
        model->script = std::make_shared<torch::jit::Module>(torch::jit::load(script_path, model->device));
      } catch (const c10::Error& e) {
        throw tw::ArgumentError(std::string("'") + script_path + "' is not a TorchScript model: " + e.what_without_backtrace());
      }
      if (script_method != nullptr) model->script_method = script_method;
      tw::require(model->script->find_method(model->script_method).has_value(),
                  std::string("the TorchScript model has no method '") + model->script_method + "'");
    }
    model->net->to(model->device);
    // One dry forward pass checks that the layers fit together and tells the output size.
    torch::NoGradGuard no_grad;
    tw::set_training(model.get(), false);
    std::vector<int64_t> shape{2};
    shape.insert(shape.end(), model->input_shape.begin(), model->input_shape.end());
    auto y = tw::forward(model.get(), torch::zeros(shape, torch::TensorOptions().device(model->device)));
    tw::require(y.dim() == 2, "the model's output must be [batch, outputs], got " + std::to_string(y.dim()) +
                                  " dimensions: end with flatten and a linear layer");
    model->output_size = y.size(1);
    *out = model.release();
  });
}

int tw_model_free(tw_model* model) {
  return tw::guard([&] { delete model; });
}

int tw_model_parameter_count(tw_model* model, int64_t* total, int64_t* trainable) {
  return tw::guard([&] {
    tw::require(model != nullptr && total != nullptr && trainable != nullptr, "arguments must not be null");
    *total = 0;
    *trainable = 0;
    for (auto& p : tw::parameters_of(model)) {
      *total += p.numel();
      if (p.requires_grad()) *trainable += p.numel();
    }
  });
}

int tw_model_output_size(tw_model* model, int64_t* out) {
  return tw::guard([&] {
    tw::require(model != nullptr && out != nullptr, "arguments must not be null");
    *out = model->output_size;
  });
}

int tw_train_step(tw_model* model, tw_optimizer* optimizer, const float* x, const void* y, int64_t n,
                  float* loss, int64_t* correct) {
  return tw::guard([&] {
    tw::check_batch(model, x, y, n);
    tw::require(optimizer != nullptr && optimizer->model == model, "the optimizer does not belong to this model");
    tw::require(loss != nullptr && correct != nullptr, "loss and correct must not be null");
    tw::set_training(model, true);
    auto input = tw::input_tensor(model, x, n);
    auto target = tw::target_tensor(model, y, n);
    if (!optimizer->gradients_pending) optimizer->optimizer->zero_grad();
    torch::Tensor out;
    torch::Tensor data_loss;
    {
      // Autocast covers the forward pass and the loss only, as torch.autocast is meant to be used.
      tw::AutocastScope autocast(*model);
      out = tw::forward(model, input);
      data_loss = tw::loss_of(model, out, target, /*sum=*/false);
    }
    auto total = data_loss;
    if (optimizer->l1 > 0.0) {
      auto penalty = torch::zeros({}, data_loss.options());
      for (auto& w : optimizer->l1_weights) {
        if (w.requires_grad()) penalty = penalty + w.abs().sum();
      }
      total = total + optimizer->l1 * penalty;
    }
    if (optimizer->loss_weight != 1.0) total = total * optimizer->loss_weight;
    if (optimizer->loss_scale > 0.0) total = total * optimizer->loss_scale;
    total.backward();
    optimizer->gradients_pending = optimizer->accumulate_only;
    optimizer->last_step = TW_STEP_ACCUMULATED;
    if (!optimizer->accumulate_only) {
      // Data-parallel ranks average the still-scaled gradients, so all of them see the same
      // inf/NaN and skip (or take) the same step.
      if (optimizer->sync_gradients) optimizer->sync_gradients(optimizer->parameters);
      const bool finite = optimizer->loss_scale <= 0.0 || tw::unscale_gradients(optimizer->parameters, optimizer->loss_scale);
      if (finite) {
        if (optimizer->clip_norm > 0.0) torch::nn::utils::clip_grad_norm_(optimizer->parameters, optimizer->clip_norm);
        optimizer->optimizer->step();
        optimizer->last_step = TW_STEP_TAKEN;
      } else {
        optimizer->last_step = TW_STEP_SKIPPED;  // the next call zeroes the gradients
      }
    }
    *loss = data_loss.item<float>();
    *correct = model->classification ? out.argmax(1).eq(target).sum().item<int64_t>() : 0;
  });
}

int tw_eval_step(tw_model* model, const float* x, const void* y, int64_t n, double* loss_sum, float* outputs) {
  return tw::guard([&] {
    tw::check_batch(model, x, y, n);
    tw::require(loss_sum != nullptr, "loss_sum must not be null");
    torch::NoGradGuard no_grad;
    tw::set_training(model, false);
    auto input = tw::input_tensor(model, x, n);
    auto target = tw::target_tensor(model, y, n);
    torch::Tensor out;
    torch::Tensor loss;
    {
      tw::AutocastScope autocast(*model);
      out = tw::forward(model, input);
      // MSE is summed over every output value and reported per sample by the caller.
      loss = tw::loss_of(model, out, target, /*sum=*/true);
    }
    *loss_sum = loss.item<double>();
    if (outputs != nullptr) {
      // Under autocast the outputs are bf16/fp16: the probabilities are computed in float32.
      out = out.to(torch::kFloat32);
      auto values = (model->classification ? torch::softmax(out, 1) : out).to(torch::kCPU).contiguous();
      std::memcpy(outputs, values.data_ptr<float>(), sizeof(float) * static_cast<size_t>(values.numel()));
    }
  });
}

}  // extern "C"
