# The transcoder's bounds: job deadlines (job_deadline.h, watched_thread.h,
# on real media made with the ffmpeg CLI), the queue's limit, their keys.
add_executable(job_tests job_deadline_test.cpp job_queue_test.cpp job_config_test.cpp)
target_link_libraries(job_tests PRIVATE hlsfs_media hlsfs_config GTest::gtest_main)
gtest_discover_tests(job_tests PROPERTIES LABELS unit)
