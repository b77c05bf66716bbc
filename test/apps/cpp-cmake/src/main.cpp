#include <iostream>
#include <numeric>
#include <string>
#include <vector>

int main() {
    std::vector<int> v(20);
    std::iota(v.begin(), v.end(), 1);
    const long sum = std::accumulate(v.begin(), v.end(), 0L);
    const std::string who = "cmake";
    std::cout << "calc (" << who << "): sum 1..20 = " << sum << std::endl;
    return 0;
}
