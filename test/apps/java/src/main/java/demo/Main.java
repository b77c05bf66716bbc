package demo;

import java.util.stream.IntStream;

public class Main {
    public static void main(String[] args) {
        long primes = IntStream.rangeClosed(2, 10_000).filter(Main::isPrime).count();
        System.out.println("java-app on " + Runtime.version().feature() + ": " + primes + " primes below 10000, " + Greeting.of(args.length > 0 ? args[0] : "jar"));
    }

    static boolean isPrime(int n) {
        for (int d = 2; (long) d * d <= n; d++) if (n % d == 0) return false;
        return true;
    }
}
