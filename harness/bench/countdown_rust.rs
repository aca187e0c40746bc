// The guide's Rust version of chapter 2's exercise (CountdownFuture), with tests of the same
// kind as chapters/ch02-future-concept/countdown_test.cpp: harness/bench/check_latency compiles
// and runs it with `rustc --test` beside `workbook check ch02`, as the anchor of its ratio.
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

struct CountdownFuture {
    count: u32,
}

impl CountdownFuture {
    fn new(start: u32) -> Self {
        CountdownFuture { count: start }
    }
}

impl Future for CountdownFuture {
    type Output = &'static str;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.count == 0 {
            Poll::Ready("Liftoff!")
        } else {
            self.count -= 1;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// Unparks the polling thread and counts its wakes.
struct ThreadWaker {
    thread: Thread,
    wakes: AtomicUsize,
}

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
        self.thread.unpark();
    }
}

/// Polls until Ready, parking between polls; returns the output, the polls and the wakes.
fn block_on<F: Future>(future: F) -> (F::Output, usize, usize) {
    let mut future = Box::pin(future);
    let state = Arc::new(ThreadWaker { thread: thread::current(), wakes: AtomicUsize::new(0) });
    let waker = Waker::from(state.clone());
    let mut cx = Context::from_waker(&waker);
    let mut polls = 0;
    loop {
        polls += 1;
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return (output, polls, state.wakes.load(Ordering::SeqCst));
        }
        thread::park();
    }
}

#[test]
fn countdown_from_zero_is_ready_at_the_first_poll() {
    let (output, polls, _) = block_on(CountdownFuture::new(0));
    assert_eq!(output, "Liftoff!");
    assert_eq!(polls, 1);
}

#[test]
fn countdown_wakes_itself_so_a_parking_executor_finishes() {
    let (output, polls, wakes) = block_on(CountdownFuture::new(3));
    assert_eq!(output, "Liftoff!");
    assert_eq!(polls, 4);
    assert_eq!(wakes, 3);
}

#[test]
fn countdown_can_be_polled_from_a_different_thread_each_time() {
    let mut future = CountdownFuture::new(2);
    let mut polls = 0;
    let output = loop {
        polls += 1;
        let result = thread::scope(|scope| {
            scope
                .spawn(|| {
                    let waker = Waker::noop();
                    let mut cx = Context::from_waker(waker);
                    Pin::new(&mut future).poll(&mut cx)
                })
                .join()
                .unwrap()
        });
        if let Poll::Ready(output) = result {
            break output;
        }
    };
    assert_eq!(output, "Liftoff!");
    assert_eq!(polls, 3);
}
