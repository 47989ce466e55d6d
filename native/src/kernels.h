// Dense kernels on row-major matrices. The shapes here are tall and narrow ([rows ≤ 8k, width ≤ 128]), so the
// kernels block four rows at a time (one load of B feeds four rows) and leave the inner column loop to the
// compiler's vectoriser (built with -O3 -march=native on the machine that runs it).
#pragma once
#include <type_traits>
#include "common.h"
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace sc {

#if defined(__AVX512F__)
/**
 * AVX-512 register tile: C[MR rows, up to NV·16 cols] (+)= Σ_k a(r, k)·B[k, :], with a(r, k) = A[r·sr + k·sk]
 * (sr = lda, sk = 1 for A·B; sr = 1, sk = lda for Aᵀ·B). The tile stays in registers for the whole k loop.
 */
template <int MR, int NV>
static inline void tile_f32(int K, const float* A, size_t sr, size_t sk, const float* B, int ldb, float* C, int ldc, int n,
                            bool accumulate, const float* bias) {
  const int tail = n - (NV - 1) * 16;
  const __mmask16 lm = tail >= 16 ? __mmask16(0xffff) : __mmask16((1u << tail) - 1);
  __mmask16 masks[NV];
#pragma GCC unroll 4
  for (int v = 0; v < NV; v++) masks[v] = v == NV - 1 ? lm : __mmask16(0xffff);
  // fully unrolled so the MR×NV accumulators live in registers for the whole k loop
  __m512 c[MR][NV];
#pragma GCC unroll 4
  for (int v = 0; v < NV; v++) {
    const __m512 b0 = bias ? _mm512_maskz_loadu_ps(masks[v], bias + 16 * v) : _mm512_setzero_ps();
#pragma GCC unroll 8
    for (int r = 0; r < MR; r++) c[r][v] = accumulate ? _mm512_maskz_loadu_ps(masks[v], C + size_t(r) * ldc + 16 * v) : b0;
  }
  for (int k = 0; k < K; k++) {
    __m512 b[NV];
    const float* bk = B + size_t(k) * ldb;
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) b[v] = _mm512_maskz_loadu_ps(masks[v], bk + 16 * v);
    const float* ak = A + size_t(k) * sk;
#pragma GCC unroll 8
    for (int r = 0; r < MR; r++) {
      const __m512 a = _mm512_set1_ps(ak[size_t(r) * sr]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) c[r][v] = _mm512_fmadd_ps(a, b[v], c[r][v]);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < MR; r++)
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) _mm512_mask_storeu_ps(C + size_t(r) * ldc + 16 * v, masks[v], c[r][v]);
}

template <int NV>
static void panel_f32(int M, int K, const float* A, size_t sr, size_t sk, const float* B, int ldb, float* C, int ldc, int n,
                      bool accumulate, const float* bias) {
  constexpr int MR = NV <= 2 ? 8 : 4;
  int i = 0;
  for (; i + MR <= M; i += MR) tile_f32<MR, NV>(K, A + size_t(i) * sr, sr, sk, B, ldb, C + size_t(i) * ldc, ldc, n, accumulate, bias);
  for (; i < M; i++) tile_f32<1, NV>(K, A + size_t(i) * sr, sr, sk, B, ldb, C + size_t(i) * ldc, ldc, n, accumulate, bias);
}

/** C[M,N] (+)= a·B for a(r, k) = A[r·sr + k·sk], in column panels of 64. */
static inline void gemm_f32(int M, int N, int K, const float* A, size_t sr, size_t sk, const float* B, int ldb, float* C, int ldc,
                            bool accumulate, const float* bias) {
  for (int j0 = 0; j0 < N; j0 += 64) {
    const int n = std::min(64, N - j0);
    const float* bb = bias ? bias + j0 : nullptr;
    switch ((n + 15) / 16) {
      case 1: panel_f32<1>(M, K, A, sr, sk, B + j0, ldb, C + j0, ldc, n, accumulate, bb); break;
      case 2: panel_f32<2>(M, K, A, sr, sk, B + j0, ldb, C + j0, ldc, n, accumulate, bb); break;
      case 3: panel_f32<3>(M, K, A, sr, sk, B + j0, ldb, C + j0, ldc, n, accumulate, bb); break;
      default: panel_f32<4>(M, K, A, sr, sk, B + j0, ldb, C + j0, ldc, n, accumulate, bb); break;
    }
  }
}
#endif

template <class R>
static inline void axpy4(int n, R a0, R a1, R a2, R a3, const R* __restrict b, R* __restrict c0, R* __restrict c1,
                         R* __restrict c2, R* __restrict c3) {
  for (int j = 0; j < n; j++) {
    R v = b[j];
    c0[j] += a0 * v;
    c1[j] += a1 * v;
    c2[j] += a2 * v;
    c3[j] += a3 * v;
  }
}

template <class R>
static inline void axpy1(int n, R a, const R* __restrict b, R* __restrict c) {
  for (int j = 0; j < n; j++) c[j] += a * b[j];
}

template <class R>
static inline void init_row(int n, R* __restrict c, const R* __restrict bias) {
  if (bias)
    std::memcpy(c, bias, sizeof(R) * n);
  else
    std::memset(c, 0, sizeof(R) * n);
}

/** C[M,N] = (accumulate ? C : bias or 0) + A[M,K]·B[K,N]. */
template <class R>
void gemm(int M, int N, int K, const R* A, int lda, const R* B, int ldb, R* C, int ldc, bool accumulate,
          const R* bias = nullptr) {
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<R, float>) {
    if (K == 0) {
      if (!accumulate)
        for (int i = 0; i < M; i++) init_row(N, C + size_t(i) * ldc, bias);
      return;
    }
    return gemm_f32(M, N, K, A, size_t(lda), 1, B, ldb, C, ldc, accumulate, bias);
  }
#endif
  int i = 0;
  for (; i + 4 <= M; i += 4) {
    const R* a0 = A + size_t(i) * lda;
    const R* a1 = a0 + lda;
    const R* a2 = a1 + lda;
    const R* a3 = a2 + lda;
    R* c0 = C + size_t(i) * ldc;
    R* c1 = c0 + ldc;
    R* c2 = c1 + ldc;
    R* c3 = c2 + ldc;
    if (!accumulate) {
      init_row(N, c0, bias);
      init_row(N, c1, bias);
      init_row(N, c2, bias);
      init_row(N, c3, bias);
    }
    for (int k = 0; k < K; k++) axpy4(N, a0[k], a1[k], a2[k], a3[k], B + size_t(k) * ldb, c0, c1, c2, c3);
  }
  for (; i < M; i++) {
    const R* a = A + size_t(i) * lda;
    R* c = C + size_t(i) * ldc;
    if (!accumulate) init_row(N, c, bias);
    for (int k = 0; k < K; k++) axpy1(N, a[k], B + size_t(k) * ldb, c);
  }
}

/** Transposes B[K,N] (leading dim ldb) into T[N,K]. */
template <class R>
void transpose(int K, int N, const R* B, int ldb, R* T) {
  for (int k = 0; k < K; k++)
    for (int j = 0; j < N; j++) T[size_t(j) * K + k] = B[size_t(k) * ldb + j];
}

/** C[M,K] += A[M,N]·B[K,N]ᵀ (an input gradient dX += dY·Wᵀ); transposes B into scratch first. */
template <class R>
void gemm_bt(Arena<R>& ar, int M, int N, int K, const R* A, int lda, const R* B, int ldb, R* C, int ldc) {
  R* T = ar.alloc(size_t(N) * K);
  transpose(K, N, B, ldb, T);
  gemm(M, K, N, A, lda, T, K, C, ldc, true);
}

template <class R>
static inline void outer4(int n, R x0, R x1, R x2, R x3, const R* __restrict d0, const R* __restrict d1,
                          const R* __restrict d2, const R* __restrict d3, R* __restrict w) {
  for (int j = 0; j < n; j++) w[j] += x0 * d0[j] + x1 * d1[j] + x2 * d2[j] + x3 * d3[j];
}

/** W[K,N] += A[M,K]ᵀ·D[M,N] (a weight gradient Xᵀ·dY), four rows of A per pass over W. */
template <class R>
void gemm_at(int M, int N, int K, const R* A, int lda, const R* D, int ldd, R* W, int ldw) {
#if defined(__AVX512F__)
  // W = Wᵀ-free: rows of W are k (stride 1 in A), the reduction runs over the M rows of A and D
  if constexpr (std::is_same_v<R, float>) {
    if (M > 0) gemm_f32(K, N, M, A, 1, size_t(lda), D, ldd, W, ldw, true, nullptr);
    return;
  }
#endif
  int i = 0;
  for (; i + 4 <= M; i += 4) {
    const R* a0 = A + size_t(i) * lda;
    const R* a1 = a0 + lda;
    const R* a2 = a1 + lda;
    const R* a3 = a2 + lda;
    const R* d0 = D + size_t(i) * ldd;
    const R* d1 = d0 + ldd;
    const R* d2 = d1 + ldd;
    const R* d3 = d2 + ldd;
    for (int k = 0; k < K; k++) outer4(N, a0[k], a1[k], a2[k], a3[k], d0, d1, d2, d3, W + size_t(k) * ldw);
  }
  for (; i < M; i++) {
    const R* a = A + size_t(i) * lda;
    const R* d = D + size_t(i) * ldd;
    for (int k = 0; k < K; k++) axpy1(N, a[k], d, W + size_t(k) * ldw);
  }
}

/** s[N] += Σ_rows D[M,N]. */
template <class R>
void colsum(int M, int N, const R* D, int ldd, R* s) {
  for (int i = 0; i < M; i++) {
    const R* __restrict d = D + size_t(i) * ldd;
    R* __restrict o = s;
    for (int j = 0; j < N; j++) o[j] += d[j];
  }
}

}  // namespace sc
