// Exact rational numbers for frame rates and time bases. The segment plan must
// be exact (EXTINF = whole frames), so frame arithmetic never goes through
// floating point where an integer answer exists.
#pragma once
#include <cstdint>
#include <numeric>
#include <string>

namespace hlsfs {

struct Rational {
  int64_t num = 0;
  int64_t den = 1;

  double to_double() const { return den ? static_cast<double>(num) / den : 0.0; }
  bool valid() const { return num > 0 && den > 0; }
  Rational reduced() const {
    int64_t g = std::gcd(num, den);
    return g ? Rational{num / g, den / g} : *this;
  }
  friend bool operator==(const Rational& a, const Rational& b) {
    return static_cast<__int128>(a.num) * b.den == static_cast<__int128>(b.num) * a.den;
  }
  friend bool operator!=(const Rational& a, const Rational& b) { return !(a == b); }
  friend bool operator<(const Rational& a, const Rational& b) {
    return static_cast<__int128>(a.num) * b.den < static_cast<__int128>(b.num) * a.den;
  }
};

// floor(a * b / c) and round-half-up(a * b / c) without overflow, c > 0.
inline int64_t mul_div_floor(int64_t a, int64_t b, int64_t c) {
  __int128 p = static_cast<__int128>(a) * b;
  __int128 q = p / c;
  if ((p % c != 0) && ((p < 0) != (c < 0))) --q;
  return static_cast<int64_t>(q);
}
inline int64_t mul_div_ceil(int64_t a, int64_t b, int64_t c) {
  return -mul_div_floor(-a, b, c);
}
inline int64_t mul_div_round(int64_t a, int64_t b, int64_t c) {
  // floor((2ab + c) / 2c)
  __int128 p = static_cast<__int128>(a) * b * 2 + c;
  __int128 d = static_cast<__int128>(c) * 2;
  __int128 q = p / d;
  if ((p % d != 0) && (p < 0)) --q;
  return static_cast<int64_t>(q);
}

inline Rational operator+(Rational a, Rational b) {
  __int128 n = static_cast<__int128>(a.num) * b.den + static_cast<__int128>(b.num) * a.den;
  __int128 d = static_cast<__int128>(a.den) * b.den;
  __int128 x = n < 0 ? -n : n, y = d, t;
  while (y) t = x % y, x = y, y = t;  // gcd
  if (x > 1) n /= x, d /= x;
  return Rational{static_cast<int64_t>(n), static_cast<int64_t>(d)};
}
inline Rational operator-(Rational a, Rational b) { return a + Rational{-b.num, b.den}; }

// Seconds (exact) -> whole ticks of time base tb, rounded down / to nearest.
inline int64_t to_ticks_floor(Rational seconds, Rational tb) {
  return mul_div_floor(seconds.num, tb.den, seconds.den * tb.num);
}
inline int64_t to_ticks_round(Rational seconds, Rational tb) {
  return mul_div_round(seconds.num, tb.den, seconds.den * tb.num);
}
// A decimal number of seconds as an exact rational with microsecond precision.
inline Rational seconds_from_double(double s) {
  return Rational{static_cast<int64_t>(s * 1e6 + (s < 0 ? -0.5 : 0.5)), 1000000}.reduced();
}

// "25", "29.97", "23.976": how IMM prints a frame rate.
std::string format_frame_rate(Rational r);

}  // namespace hlsfs
