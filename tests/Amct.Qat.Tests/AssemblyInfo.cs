// libtorch keeps process-wide state (threads, the loaded library); the tests run one at a time.
[assembly: DoNotParallelize]
