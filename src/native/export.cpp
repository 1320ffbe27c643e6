// Exports a model as TorchScript that PyTorch loads with torch.jit.load: native layers become
// generated TorchScript source over their trained tensors; a TorchScript part is kept as is.
#include <sstream>

#include "shim.h"

namespace tw {
namespace {

namespace nn = torch::nn;

/// Writes `forward` line by line and registers each tensor it uses as an attribute p0, p1, ...
class ScriptWriter {
 public:
  explicit ScriptWriter(torch::jit::Module& module) : module_(module) {}

  std::string tensor(const torch::Tensor& t, bool is_buffer = false) {
    if (!t.defined()) return "None";
    const std::string name = "p" + std::to_string(count_++);
    auto value = t.detach().to(torch::kCPU).clone();
    if (is_buffer) module_.register_buffer(name, value);
    else module_.register_parameter(name, value, /*is_buffer=*/false);
    return "self." + name;
  }

  void line(const std::string& text) { body_ << "    " << text << "\n"; }

  void sequential(const nn::Sequential& seq) {
    for (const auto& child : seq->children()) layer(child, "x", "x");
  }

  std::string source() const { return "def forward(self, x):\n" + body_.str() + "    return x\n"; }

 private:
  static std::string pair(int64_t a, int64_t b) { return "[" + std::to_string(a) + ", " + std::to_string(b) + "]"; }

  void layer(const std::shared_ptr<nn::Module>& m, const std::string& in, const std::string& out) {
    const std::string head = out + " = ";
    if (auto l = std::dynamic_pointer_cast<nn::LinearImpl>(m)) {
      line(head + "torch.linear(" + in + ", " + tensor(l->weight) + ", " + tensor(l->bias) + ")");
    } else if (auto c = std::dynamic_pointer_cast<nn::Conv2dImpl>(m)) {
      const auto& o = c->options;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 2)
      const auto padding = std::get<torch::ExpandingArray<2>>(o.padding());  // std::variant since 2.2
#else
      const auto padding = c10::get<torch::ExpandingArray<2>>(o.padding());
#endif
      line(head + "torch.conv2d(" + in + ", " + tensor(c->weight) + ", " + tensor(c->bias) + ", " +
           pair((*o.stride())[0], (*o.stride())[1]) + ", " + pair((*padding)[0], (*padding)[1]) + ", [1, 1], 1)");
    } else if (auto b = std::dynamic_pointer_cast<nn::BatchNorm2dImpl>(m)) {
      batch_norm(in, out, b->weight, b->bias, b->running_mean, b->running_var, b->options.eps());
    } else if (auto b1 = std::dynamic_pointer_cast<nn::BatchNorm1dImpl>(m)) {
      batch_norm(in, out, b1->weight, b1->bias, b1->running_mean, b1->running_var, b1->options.eps());
    } else if (auto p = std::dynamic_pointer_cast<nn::MaxPool2dImpl>(m)) {
      const auto k = (*p->options.kernel_size())[0];
      line(head + "torch.max_pool2d(" + in + ", " + pair(k, k) + ", " + pair(k, k) + ", [0, 0], [1, 1], False)");
    } else if (std::dynamic_pointer_cast<nn::AdaptiveAvgPool2dImpl>(m)) {
      line(head + "torch.adaptive_avg_pool2d(" + in + ", [1, 1])");
    } else if (std::dynamic_pointer_cast<nn::FlattenImpl>(m)) {
      line(head + "torch.flatten(" + in + ", 1, -1)");
    } else if (std::dynamic_pointer_cast<nn::ReLUImpl>(m)) {
      line(head + "torch.relu(" + in + ")");
    } else if (std::dynamic_pointer_cast<nn::TanhImpl>(m)) {
      line(head + "torch.tanh(" + in + ")");
    } else if (std::dynamic_pointer_cast<nn::GELUImpl>(m)) {
      line(head + "torch.gelu(" + in + ")");
    } else if (std::dynamic_pointer_cast<nn::SiLUImpl>(m)) {
      line(head + "torch.silu(" + in + ")");
    } else if (auto pr = std::dynamic_pointer_cast<nn::PReLUImpl>(m)) {
      line(head + "torch.prelu(" + in + ", " + tensor(pr->weight) + ")");
    } else if (auto lr = std::dynamic_pointer_cast<nn::LeakyReLUImpl>(m)) {
      line(head + "torch.leaky_relu(" + in + ", " + std::to_string(lr->options.negative_slope()) + ")");
    } else if (std::dynamic_pointer_cast<nn::DropoutImpl>(m)) {
      if (in != out) line(head + in);  // identity in inference
    } else if (auto r = std::dynamic_pointer_cast<ResidualBlockImpl>(m)) {
      layer(r->conv1.ptr(), in, "y");
      layer(r->bn1.ptr(), "y", "y");
      line("y = torch.relu(y)");
      layer(r->conv2.ptr(), "y", "y");
      layer(r->bn2.ptr(), "y", "y");
      line("r = " + in);
      if (!r->shortcut.is_empty()) {
        for (const auto& child : r->shortcut->children()) layer(child, "r", "r");
      }
      line(head + "torch.relu(y + r)");
    } else {
      throw ArgumentError("cannot export layer " + m->name() + " to TorchScript");
    }
  }

  void batch_norm(const std::string& in, const std::string& out, const torch::Tensor& w, const torch::Tensor& b,
                  const torch::Tensor& mean, const torch::Tensor& var, double eps) {
    line(out + " = torch.batch_norm(" + in + ", " + tensor(w) + ", " + tensor(b) + ", " + tensor(mean, true) + ", " +
         tensor(var, true) + ", False, 0.1, " + std::to_string(eps) + ", False)");
  }

  torch::jit::Module& module_;
  std::ostringstream body_;
  int count_ = 0;
};

}  // namespace
}  // namespace tw

extern "C" {

int tw_model_export(tw_model* model, uint8_t** data, int64_t* length) {
  return tw::guard([&] {
    tw::require(model != nullptr, "model must not be null");
    std::ostringstream stream;
    if (model->script && model->net->backbone->is_empty() && model->net->head->is_empty() &&
        model->script_method == "forward") {
      model->script->save(stream);
    } else {
      torch::jit::Module exported("TrainingWorkersModel");
      tw::ScriptWriter writer(exported);
      if (model->script) {
        exported.register_module("backbone", *model->script);
        writer.line("x = self.backbone." + model->script_method + "(x)");
      }
      writer.sequential(model->net->backbone);
      writer.sequential(model->net->head);
      exported.define(writer.source());
      exported.eval();
      exported.save(stream);
    }
    const std::string bytes = stream.str();
    tw::copy_to_buffer(bytes.data(), bytes.size(), data, length);
  });
}

}  // extern "C"
