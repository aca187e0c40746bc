// The parts of a spawned task, one per header, gathered here for code that uses several:
//   task_ref.hpp     wb::TaskRef       an owning reference to a task
//   scheduler.hpp    wb::Scheduler     what a task knows of its executor
//   poll_stamp.hpp   wb::PollStamp     the time of a task's latest poll, cheaply
//   task_header.hpp  wb::TaskHeader    the state machine and reference count executors see
//   task_output.hpp  wb::TaskOutput<T> the outcome a JoinHandle reads (and wb::TaskAborted)
//   task_cell.hpp    wb::TaskCell<F>   the one allocation of a spawned future
//   task_list.hpp    wb::TaskList      an executor's list of live tasks
#pragma once

#include "wb/task/poll_stamp.hpp"
#include "wb/task/scheduler.hpp"
#include "wb/task/task_cell.hpp"
#include "wb/task/task_header.hpp"
#include "wb/task/task_list.hpp"
#include "wb/task/task_output.hpp"
#include "wb/task/task_ref.hpp"
