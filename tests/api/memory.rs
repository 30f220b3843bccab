//! Counts the heap each thread holds, so that a test can show that a piece of work stays within
//! a bound of memory (the tests run side by side in one process, so the process's own figure
//! would count the others).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct PerThread;

#[global_allocator]
static ALLOCATOR: PerThread = PerThread;

thread_local! {
    // Constant and without a destructor: reading them allocates nothing.
    static HELD: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn changed(by: isize) {
    let _ = HELD.try_with(|held| {
        let now = held.get().saturating_add(by);
        held.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

fn size(bytes: usize) -> isize {
    isize::try_from(bytes).unwrap_or(isize::MAX)
}

// SAFETY: every call is passed on to the system allocator unchanged; only sizes are counted.
unsafe impl GlobalAlloc for PerThread {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            changed(size(layout.size()));
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            changed(size(layout.size()));
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        changed(-size(layout.size()));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(ptr, layout, new_size) };
        if !moved.is_null() {
            changed(size(new_size) - size(layout.size()));
        }
        moved
    }
}

/// Runs `work` on this thread and returns its result with the most heap it held at once, in
/// bytes, beyond what the thread held before.
pub fn peak_heap<T>(work: impl FnOnce() -> T) -> (T, usize) {
    let before = HELD.with(Cell::get);
    PEAK.with(|peak| peak.set(before));
    let result = work();
    let peak = PEAK.with(Cell::get);
    (result, usize::try_from(peak - before).unwrap_or(0))
}
