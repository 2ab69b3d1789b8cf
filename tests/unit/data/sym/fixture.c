/* A fixed debug file for the symbolizer's tests: built with -g into a "vmlinux" and a ".ko". */
volatile int fixture_sink;

static inline __attribute__((always_inline)) int fixture_inner(int x)
{
	fixture_sink = x * 3;	/* FIXTURE_INNER_LINE */
	return fixture_sink;
}

static inline __attribute__((always_inline)) int fixture_mid(int x)
{
	return fixture_inner(x) + 2;	/* FIXTURE_MID_CALL_LINE */
}

__attribute__((noinline)) int fixture_leaf(int x)
{
	fixture_sink = x + 1;	/* FIXTURE_LEAF_LINE */
	return fixture_sink;
}

__attribute__((noinline)) int fixture_outer(int x)
{
	int y = fixture_mid(x);	/* FIXTURE_CALL_LINE */

	return fixture_leaf(y) + 1;	/* FIXTURE_LEAF_CALL_LINE */
}

int main(void)
{
	return fixture_outer(2);
}
