// Keeps ll-test-support non-empty until the harness helpers land.
namespace ll::test {
int placeholder() { return 0; }
}
