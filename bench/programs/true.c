// true: does nothing, successfully. Measures start-up.
int main(void) { return 0; }
