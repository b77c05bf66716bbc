package demo;

final class Greeting {
    private Greeting() {}

    static String of(String who) {
        return "hello from the " + who;
    }
}
