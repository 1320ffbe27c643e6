/*
 * tw.h: the C ABI of the TrainingWorkers engine shim over libtorch.
 *
 * Coarse on purpose: a model is built from a layer list, an optimizer over it, and one call
 * trains or evaluates a whole batch. C# owns the loop, the data, metrics and checkpoints.
 *
 * Every export returns TW_OK (0) or an error status; the message of the last failure on the
 * calling thread is returned by tw_last_error(). No C++ exception crosses this boundary.
 */
#ifndef TW_H
#define TW_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TW_EXPORT __attribute__((visibility("default")))

enum tw_status {
  TW_OK = 0,
  TW_E_ARGUMENT = 1, /* a bad argument or layer/option text: the caller's mistake */
  TW_E_TORCH = 2,    /* libtorch raised c10::Error */
  TW_E_INTERNAL = 3  /* any other exception */
};

typedef struct tw_model tw_model;
typedef struct tw_optimizer tw_optimizer;

/* The message of the last failed call on this thread ("" if none). Valid until the next call. */
TW_EXPORT const char* tw_last_error(void);

/* Process-wide set-up: malloc tuning and intra-op threads (threads <= 0 keeps libtorch's choice). */
TW_EXPORT int tw_init(int threads);
TW_EXPORT int tw_get_num_threads(int* out);
TW_EXPORT int tw_manual_seed(uint64_t seed);
/*
 * The CPU random generator's state (dropout masks, weight init), for exact resume. The buffer is
 * owned by the shim: release it with tw_buffer_free.
 */
TW_EXPORT int tw_rng_get_state(uint8_t** data, int64_t* length);
TW_EXPORT int tw_rng_set_state(const uint8_t* data, int64_t length);
/* "1.13.1" etc., and the number of CUDA devices libtorch sees (0 on a CPU build). */
TW_EXPORT int tw_torch_version(const char** out);
TW_EXPORT int tw_cuda_device_count(int* out);
/*
 * What this libtorch was built with, answerable without a GPU: the CUDA runtime it was compiled
 * against (12040 for 12.4; 0 for a CPU build) and the cuDNN compiled in (90100 for 9.1.0; 0 for none).
 */
TW_EXPORT int tw_cuda_build_info(int* cuda_runtime, int64_t* cudnn);

/*
 * Builds a model from a layer list, one layer per line (grammar in model.cpp), on a device
 * ("cpu", "cuda", "cuda:1"). `loss` is "cross_entropy" (int64 class targets) or "mse" (float
 * targets, one per output). With `script_path`, a TorchScript module is loaded and its
 * `script_method` (NULL: "forward") runs first; the layers (possibly none) form a head on top.
 */
TW_EXPORT int tw_model_create(const char* layers, const char* loss, const char* device, const char* script_path,
                              const char* script_method, tw_model** out);
TW_EXPORT int tw_model_free(tw_model* model);
TW_EXPORT int tw_model_parameter_count(tw_model* model, int64_t* total, int64_t* trainable);
TW_EXPORT int tw_model_output_size(tw_model* model, int64_t* out);

/*
 * Parameters and buffers by name. The buffer is owned by the shim: release it with tw_buffer_free.
 * Load checks every name and shape before changing anything; `part` (NULL: all) loads only
 * "backbone" or "head", e.g. a pretrained backbone under a new head.
 */
TW_EXPORT int tw_model_save(tw_model* model, uint8_t** data, int64_t* length);
TW_EXPORT int tw_model_load(tw_model* model, const uint8_t* data, int64_t length, const char* part);

/* Freezes (trainable 0) or unfreezes parameters selected by a part name or a glob on their names. */
TW_EXPORT int tw_model_set_trainable(tw_model* model, const char* pattern, int trainable, int64_t* matched);

/* The model as TorchScript (torch.jit.load in PyTorch; forward returns logits). Free with tw_buffer_free. */
TW_EXPORT int tw_model_export(tw_model* model, uint8_t** data, int64_t* length);
TW_EXPORT int tw_buffer_free(uint8_t* data);

/*
 * Builds an optimizer over the trainable parameters: `options` is "type key=value ...", e.g.
 * "adam lr=0.001 beta1=0.9 beta2=0.999 eps=1e-8 weight_decay=0". Types: sgd, adam, adamw,
 * rmsprop, adagrad, adadelta. Also "l1=..." (penalty added to the loss) and "clip_norm=...".
 */
TW_EXPORT int tw_optimizer_create(tw_model* model, const char* options, tw_optimizer** out);
TW_EXPORT int tw_optimizer_free(tw_optimizer* optimizer);
TW_EXPORT int tw_optimizer_set_lr(tw_optimizer* optimizer, double lr);
TW_EXPORT int tw_optimizer_save(tw_optimizer* optimizer, uint8_t** data, int64_t* length);
TW_EXPORT int tw_optimizer_load(tw_optimizer* optimizer, const uint8_t* data, int64_t length);

/*
 * One training step on a batch of n rows: x is n * input_size floats; y is n int64 class ids
 * (cross_entropy) or n * output_size floats (mse). Returns the mean loss (without the L1 term)
 * and, for classification, the number of correct predictions.
 */
TW_EXPORT int tw_train_step(tw_model* model, tw_optimizer* optimizer, const float* x, const void* y,
                            int64_t n, float* loss, int64_t* correct);

/*
 * Evaluates a batch without gradients in eval mode: the summed loss, and, when outputs is not
 * NULL, the model's outputs (n * output_size floats: class probabilities for cross_entropy, raw
 * predictions for mse).
 */
TW_EXPORT int tw_eval_step(tw_model* model, const float* x, const void* y, int64_t n, double* loss_sum,
                           float* outputs);

/*
 * ---- Data-parallel training (dist.cpp): libtorch's c10d, torchrun-style ----
 *
 * A process group joins `world_size` rank processes through a TCPStore served by rank 0 at
 * master_addr:master_port. Its device picks the backend: "cpu" is Gloo, "cuda[:N]" is NCCL
 * (only in a shim built against a CUDA libtorch). Every collective fails, rather than hangs,
 * after `timeout_ms`; a peer that dies surfaces as an error in the survivors.
 */
typedef struct tw_process_group tw_process_group;

enum tw_reduce_op { TW_REDUCE_SUM = 0, TW_REDUCE_MAX = 1, TW_REDUCE_MIN = 2 };
enum tw_dtype { TW_FLOAT64 = 0, TW_FLOAT32 = 1 };

/* 1 if this shim was built with the backend ("gloo" or "nccl"), else 0. */
TW_EXPORT int tw_dist_has_backend(const char* backend, int* out);
/* Rendezvous: blocks until all ranks joined or timeout_ms passed (a rank that never joins). */
TW_EXPORT int tw_dist_create(const char* device, const char* master_addr, int master_port, int rank, int world_size,
                             int timeout_ms, tw_process_group** out);
TW_EXPORT int tw_dist_free(tw_process_group* group);
/*
 * Makes a model data-parallel: broadcasts its parameters and buffers from rank 0, then hooks the
 * optimizer so that every step averages the gradients over the ranks (all-reduce in flat buckets
 * of at most bucket_bytes) and copies rank 0's buffers (batch-norm statistics) to every rank
 * right after backward, so the next forward and any evaluation see rank 0's buffers.
 */
TW_EXPORT int tw_dist_attach(tw_process_group* group, tw_model* model, tw_optimizer* optimizer, int64_t bucket_bytes);
/* All-reduces `count` values in place (dtype: tw_dtype, op: tw_reduce_op). */
TW_EXPORT int tw_dist_all_reduce(tw_process_group* group, void* values, int64_t count, int dtype, int op);
/*
 * Broadcasts rank 0's bytes (data/length, ignored on other ranks) to every rank: *out is a copy
 * on every rank, owned by the shim (release it with tw_buffer_free).
 */
TW_EXPORT int tw_dist_broadcast_bytes(tw_process_group* group, const uint8_t* data, int64_t length, uint8_t** out,
                                      int64_t* out_length);
TW_EXPORT int tw_dist_barrier(tw_process_group* group);
/*
 * Asks the group to stop: callable from any thread. The request travels with the next gradient
 * all-reduce, so every rank sees tw_dist_stop_agreed turn 1 after the same step.
 */
TW_EXPORT int tw_dist_request_stop(tw_process_group* group);
TW_EXPORT int tw_dist_stop_agreed(tw_process_group* group, int* out);
/* Time spent in gradient synchronization (flatten, all-reduce, copy back) and how many steps. */
TW_EXPORT int tw_dist_sync_stats(tw_process_group* group, double* seconds, int64_t* steps, int64_t* bytes_per_step);

/*
 * Gradient accumulation over micro-batches: the following tw_train_step calls multiply their loss
 * by loss_weight before backward and, while accumulate_only is 1, add to the gradients without
 * synchronizing, clipping or stepping (and without zeroing them in the next call). A call with
 * accumulate_only 0 ends the accumulation: it syncs, clips and steps over all the micro-batches.
 */
TW_EXPORT int tw_optimizer_set_accumulation(tw_optimizer* optimizer, double loss_weight, int accumulate_only);
/*
 * Copies every parameter, in model order and flattened, as float32 into out (capacity values);
 * *count is how many there are (call with out NULL to ask). Checks that ranks hold one model.
 */
TW_EXPORT int tw_model_parameters_copy(tw_model* model, float* out, int64_t capacity, int64_t* count);

/*
 * ---- Mixed precision and CUDA settings (amp.cpp) ----
 *
 * Autocast runs the forward pass and the loss of tw_train_step and tw_eval_step in a lower
 * precision, as torch.autocast does; parameters, gradients, backward's accumulation and the
 * optimizer stay float32. bf16 works on CUDA and on CPU; fp16 only on CUDA (libtorch's CPU
 * autocast is bfloat16) and wants loss scaling (tw_optimizer_set_loss_scale).
 */
enum tw_precision { TW_PRECISION_FP32 = 0, TW_PRECISION_BF16 = 1, TW_PRECISION_FP16 = 2 };
TW_EXPORT int tw_model_set_precision(tw_model* model, int precision);
/*
 * Loss scaling: with scale > 0 each step multiplies its loss by scale before backward, and the
 * step that ends an accumulation divides the gradients by it (after the data-parallel all-reduce,
 * before clipping); if any gradient is then inf or NaN, the optimizer step is skipped. 0 turns it
 * off. When to grow or shrink the scale is the caller's policy (LossScaler in C#).
 */
TW_EXPORT int tw_optimizer_set_loss_scale(tw_optimizer* optimizer, double scale);
/* What the last tw_train_step did with the optimizer: a tw_step_outcome. */
enum tw_step_outcome { TW_STEP_ACCUMULATED = 0, TW_STEP_TAKEN = 1, TW_STEP_SKIPPED = 2 };
TW_EXPORT int tw_optimizer_last_step(tw_optimizer* optimizer, int* out);
/* cuDNN's autotuner for convolutions (process-wide; it matters only on CUDA). */
TW_EXPORT int tw_set_cudnn_benchmark(int enabled);
TW_EXPORT int tw_get_cudnn_benchmark(int* out);

#ifdef __cplusplus
}
#endif

#endif /* TW_H */
