// Optimizers: libtorch's own, plus Adadelta, which libtorch's C++ API lacks.
#include <map>
#include <sstream>
#include <unordered_map>

#include "shim.h"

namespace tw {
namespace {

namespace optim = torch::optim;

struct AdadeltaOptions : optim::OptimizerCloneableOptions<AdadeltaOptions> {
  double lr = 1.0;
  double rho = 0.9;
  double eps = 1e-6;
  double weight_decay = 0.0;
  double get_lr() const override { return lr; }
  void set_lr(const double value) override { lr = value; }
};

/// Adadelta (Zeiler 2012) as torch.optim.Adadelta computes it.
class Adadelta : public optim::Optimizer {
 public:
  Adadelta(std::vector<optim::OptimizerParamGroup> groups, const AdadeltaOptions& options)
      : Optimizer(std::move(groups), std::make_unique<AdadeltaOptions>(options)) {}

  torch::Tensor step(LossClosure closure = nullptr) override {
    torch::NoGradGuard no_grad;
    torch::Tensor loss;
    if (closure) loss = closure();
    for (auto& group : param_groups()) {
      const auto& o = static_cast<const AdadeltaOptions&>(group.options());
      for (auto& p : group.params()) {
        if (!p.grad().defined()) continue;
        auto grad = o.weight_decay != 0.0 ? p.grad().add(p, o.weight_decay) : p.grad();
        auto& s = state_for(p);
        s.square_avg.mul_(o.rho).addcmul_(grad, grad, 1.0 - o.rho);
        auto delta = s.acc_delta.add(o.eps).sqrt_().div_(s.square_avg.add(o.eps).sqrt_()).mul_(grad);
        s.acc_delta.mul_(o.rho).addcmul_(delta, delta, 1.0 - o.rho);
        p.add_(delta, -o.lr);
      }
    }
    return loss;
  }

  void save(torch::serialize::OutputArchive& archive) const override {
    int64_t index = 0;
    for (const auto& p : all_params()) {
      auto it = slots_.find(p.unsafeGetTensorImpl());
      if (it != slots_.end()) {
        archive.write("square_avg." + std::to_string(index), it->second.square_avg, /*is_buffer=*/true);
        archive.write("acc_delta." + std::to_string(index), it->second.acc_delta, /*is_buffer=*/true);
      }
      ++index;
    }
  }

  void load(torch::serialize::InputArchive& archive) override {
    int64_t index = 0;
    for (const auto& p : all_params()) {
      Slots s;
      const auto i = std::to_string(index++);
      if (archive.try_read("square_avg." + i, s.square_avg, /*is_buffer=*/true) &&
          archive.try_read("acc_delta." + i, s.acc_delta, /*is_buffer=*/true)) {
        s.square_avg = s.square_avg.to(p.device());
        s.acc_delta = s.acc_delta.to(p.device());
        slots_[p.unsafeGetTensorImpl()] = s;
      }
    }
  }

 private:
  std::vector<torch::Tensor> all_params() const {
    std::vector<torch::Tensor> result;
    for (const auto& group : param_groups()) result.insert(result.end(), group.params().begin(), group.params().end());
    return result;
  }
  struct Slots {
    torch::Tensor square_avg;
    torch::Tensor acc_delta;
  };
  Slots& state_for(const torch::Tensor& p) {
    auto& s = slots_[p.unsafeGetTensorImpl()];
    if (!s.square_avg.defined()) {
      s.square_avg = torch::zeros_like(p);
      s.acc_delta = torch::zeros_like(p);
    }
    return s;
  }
  std::unordered_map<const void*, Slots> slots_;
};

/// "type key=value ...": every key must be used by the optimizer, or it is an error.
struct OptionText {
  std::string type;
  std::map<std::string, double> values;

  explicit OptionText(const std::string& text) {
    std::istringstream words(text);
    words >> type;
    require(!type.empty(), "the optimizer options are empty");
    for (std::string w; words >> w;) {
      const auto eq = w.find('=');
      require(eq != std::string::npos && eq > 0, "optimizer option '" + w + "' is not key=value");
      try {
        size_t used = 0;
        const auto value = w.substr(eq + 1);
        values[w.substr(0, eq)] = std::stod(value, &used);
        require(used == value.size(), "");
      } catch (const std::exception&) {
        throw ArgumentError("optimizer option '" + w + "' has no numeric value");
      }
    }
  }

  double take(const std::string& key, double fallback) {
    auto it = values.find(key);
    if (it == values.end()) return fallback;
    const double value = it->second;
    values.erase(it);
    return value;
  }

  void check_all_used() const {
    if (!values.empty()) throw ArgumentError("optimizer '" + type + "' has no option '" + values.begin()->first + "'");
  }
};

std::unique_ptr<optim::Optimizer> make_optimizer(OptionText& o, std::vector<optim::OptimizerParamGroup> params) {
  const double lr = o.take("lr", o.type == "adadelta" ? 1.0 : 1e-3);
  const double wd = o.take("weight_decay", 0.0);
  if (o.type == "sgd") {
    return std::make_unique<optim::SGD>(params, optim::SGDOptions(lr)
                                                    .momentum(o.take("momentum", 0.0))
                                                    .dampening(o.take("dampening", 0.0))
                                                    .nesterov(o.take("nesterov", 0.0) != 0.0)
                                                    .weight_decay(wd));
  }
  if (o.type == "adam" || o.type == "adamw") {
    const auto betas = std::make_tuple(o.take("beta1", 0.9), o.take("beta2", 0.999));
    const double eps = o.take("eps", 1e-8);
    const bool amsgrad = o.take("amsgrad", 0.0) != 0.0;
    if (o.type == "adam") {
      return std::make_unique<optim::Adam>(
          params, optim::AdamOptions(lr).betas(betas).eps(eps).weight_decay(wd).amsgrad(amsgrad));
    }
    return std::make_unique<optim::AdamW>(
        params, optim::AdamWOptions(lr).betas(betas).eps(eps).weight_decay(wd).amsgrad(amsgrad));
  }
  if (o.type == "rmsprop") {
    return std::make_unique<optim::RMSprop>(params, optim::RMSpropOptions(lr)
                                                        .alpha(o.take("alpha", 0.99))
                                                        .eps(o.take("eps", 1e-8))
                                                        .momentum(o.take("momentum", 0.0))
                                                        .centered(o.take("centered", 0.0) != 0.0)
                                                        .weight_decay(wd));
  }
  if (o.type == "adagrad") {
    return std::make_unique<optim::Adagrad>(
        params, optim::AdagradOptions(lr).lr_decay(o.take("lr_decay", 0.0)).eps(o.take("eps", 1e-10)).weight_decay(wd));
  }
  if (o.type == "adadelta") {
    AdadeltaOptions a;
    a.lr = lr;
    a.rho = o.take("rho", 0.9);
    a.eps = o.take("eps", 1e-6);
    a.weight_decay = wd;
    return std::make_unique<Adadelta>(params, a);
  }
  throw ArgumentError("unknown optimizer '" + o.type + "'");
}

}  // namespace

/// Sets each group's rate: the backbone's is scaled by backbone_lr_scale.
void apply_lr(tw_optimizer& optimizer, double lr) {
  auto& groups = optimizer.optimizer->param_groups();
  for (size_t i = 0; i < groups.size(); ++i) groups[i].options().set_lr(lr * optimizer.group_scales[i]);
}

}  // namespace tw

extern "C" {

int tw_optimizer_create(tw_model* model, const char* options, tw_optimizer** out) {
  return tw::guard([&] {
    tw::require(model != nullptr && options != nullptr && out != nullptr, "arguments must not be null");
    auto result = std::make_unique<tw_optimizer>();
    result->model = model;
    // Every parameter goes in, frozen ones too: they have no gradient, so the optimizer skips them
    // until they are unfrozen (gradual unfreezing needs no new optimizer).
    std::vector<torch::Tensor> backbone, head;
    bool any_trainable = false;
    for (auto& [name, p] : tw::named_parameters_of(model)) {
      (tw::in_part(name, "head") ? head : backbone).push_back(p);
      result->parameters.push_back(p);
      if (p.dim() >= 2) result->l1_weights.push_back(p);
      any_trainable = any_trainable || p.requires_grad();
    }
    tw::require(any_trainable, "the model has no trainable parameters: everything is frozen");
    tw::OptionText text(options);
    result->l1 = text.take("l1", 0.0);
    result->clip_norm = text.take("clip_norm", 0.0);
    const double backbone_scale = text.take("backbone_lr_scale", 1.0);
    tw::require(result->l1 >= 0.0 && result->clip_norm >= 0.0 && backbone_scale >= 0.0,
                "l1, clip_norm and backbone_lr_scale must be >= 0");
    std::vector<torch::optim::OptimizerParamGroup> groups;
    if (!backbone.empty()) {
      groups.emplace_back(backbone);
      result->group_scales.push_back(backbone_scale);
    }
    if (!head.empty()) {
      groups.emplace_back(head);
      result->group_scales.push_back(1.0);
    }
    result->optimizer = tw::make_optimizer(text, std::move(groups));
    text.check_all_used();
    result->base_lr = result->optimizer->defaults().get_lr();
    tw::apply_lr(*result, result->base_lr);
    *out = result.release();
  });
}

int tw_optimizer_free(tw_optimizer* optimizer) {
  return tw::guard([&] { delete optimizer; });
}

int tw_optimizer_set_lr(tw_optimizer* optimizer, double lr) {
  return tw::guard([&] {
    tw::require(optimizer != nullptr, "optimizer must not be null");
    tw::require(lr >= 0.0, "the learning rate must be >= 0");
    tw::apply_lr(*optimizer, lr);
  });
}

int tw_optimizer_save(tw_optimizer* optimizer, uint8_t** data, int64_t* length) {
  return tw::guard([&] {
    tw::require(optimizer != nullptr, "optimizer must not be null");
    torch::serialize::OutputArchive archive;
    optimizer->optimizer->save(archive);
    tw::archive_to_buffer(archive, data, length);
  });
}

int tw_optimizer_load(tw_optimizer* optimizer, const uint8_t* data, int64_t length) {
  return tw::guard([&] {
    tw::require(optimizer != nullptr, "optimizer must not be null");
    torch::serialize::InputArchive archive;
    tw::archive_from_buffer(archive, data, length);
    optimizer->optimizer->load(archive);
  });
}

}  // extern "C"
