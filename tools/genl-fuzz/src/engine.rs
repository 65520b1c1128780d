// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! LibAFL put together: an in-process executor whose harness sends one input's requests with
//! KCOV on, a hit-count map of the module's points as the observer, a max-map feedback (or,
//! for the blind baseline, a feedback that never keeps an input), the spec mutators stacked by
//! LibAFL's havoc scheduler, and crash and timeout objectives. Corpus, scheduling, mutation
//! stacking and the solutions are LibAFL's.

use std::{
    cell::RefCell,
    fs,
    io::Write,
    path::PathBuf,
    rc::Rc,
    time::{Duration, Instant},
};

use anyhow::{Context, Result};
use libafl::{
    corpus::{Corpus, InMemoryCorpus, OnDiskCorpus},
    events::SimpleEventManager,
    executors::{ExitKind, InProcessExecutor},
    feedback_and_fast, feedback_or_fast,
    feedbacks::{ConstFeedback, CrashFeedback, MaxMapFeedback, TimeoutFeedback},
    fuzzer::{Evaluator, Fuzzer, StdFuzzer},
    monitors::NopMonitor,
    mutators::HavocScheduledMutator,
    observers::{HitcountsMapObserver, StdMapObserver},
    schedulers::QueueScheduler,
    stages::StdMutationalStage,
    state::{HasCorpus, HasSolutions, StdState},
};
use libafl_bolts::{rands::StdRand, tuples::tuple_list};

use kcov::{Kcov, ModulePoints};

use crate::{
    input::{GenlInput, Shaper},
    mutate::mutations,
    spec::FuzzSpec,
    target::Target,
};

pub type State = StdState<InMemoryCorpus<GenlInput>, GenlInput, StdRand, OnDiskCorpus<GenlInput>>;

pub struct Config {
    pub spec: PathBuf,
    pub ko: PathBuf,
    pub module: String,
    pub seconds: u64,
    /// Stop after this many requests (the budget the blind baseline is given).
    pub max_requests: Option<u64>,
    /// No coverage feedback: the seeds are mutated, never added to.
    pub blind: bool,
    pub seed: u64,
    pub out: PathBuf,
}

/// What a run reached, as it went.
#[derive(Default)]
struct Progress {
    reached: Vec<bool>,
    points: usize,
    execs: u64,
    sent: u64,
    faulted: u64,
    enomem: u64,
    /// `(requests sent, seconds, points reached)` at each new point.
    timeline: Vec<(u64, f64, usize)>,
    finding: Option<String>,
    /// The finding's requests and input.
    found: Option<(Vec<Vec<u8>>, GenlInput)>,
}

pub struct Outcome {
    pub finding: bool,
}

/// Inputs the run starts from: one per operation and mode, generated from the spec.
const SEEDS: usize = 32;

pub fn run(cfg: &Config) -> Result<Outcome> {
    let spec: &'static FuzzSpec = Box::leak(Box::new(FuzzSpec::load(&cfg.spec)?));
    let shaper: &'static Shaper<'static> = Box::leak(Box::new(Shaper { spec }));
    let points = ModulePoints::load(&cfg.ko, &cfg.module)?;
    let total = points.len();
    fs::create_dir_all(&cfg.out).with_context(|| format!("creating {}", cfg.out.display()))?;
    let mut target = Target::open(spec)?;
    let mut kcov = Kcov::enable()?;
    if !target.can_fault() {
        eprintln!(
            "genl-fuzz: no failslab (/sys/kernel/debug/failslab): allocations are not failed"
        );
    }
    // Every request sent, for a finding that needs the state earlier ones made, and for a
    // reproducer when the kernel kills this task (an oops): in the guest's own /tmp, as a
    // write per execution to the host's share would slow the run.
    let mut history = crate::repro::History::create(
        std::env::temp_dir().join(format!("genl-fuzz-{}.history", cfg.module)),
        &spec.name,
    )?;

    let map: &'static mut [u8] = Box::leak(vec![0u8; total].into_boxed_slice());
    let map_ptr = map.as_mut_ptr();
    let progress = Rc::new(RefCell::new(Progress {
        reached: vec![false; total],
        ..Default::default()
    }));
    let started = Instant::now();
    let p = progress.clone();
    let family = target.family;
    let mut harness = |input: &GenlInput| {
        if p.borrow().finding.is_some() {
            // The rest of LibAFL's round after a finding: the run stops at its end.
            return ExitKind::Ok;
        }
        let datagrams = input.encode(family);
        let _ = history.append(&datagrams, input);
        kcov.reset();
        let result = target.run(&datagrams, input);
        let mut p = p.borrow_mut();
        p.sent = target.sent;
        p.faulted = target.faulted;
        p.enomem = target.enomem;
        let mut new = false;
        kcov.for_each(|pc| {
            if let Some(i) = points.point(pc) {
                // SAFETY: `i` < `total`, the map's length; the map is written only here, while
                // the executor runs the harness, and read by the observer after it returns.
                unsafe {
                    let cell = map_ptr.add(i);
                    *cell = (*cell).saturating_add(1);
                }
                if !p.reached[i] {
                    p.reached[i] = true;
                    p.points += 1;
                    new = true;
                }
            }
        });
        p.execs += 1;
        if new {
            let (sent, secs, n) = (target.sent, started.elapsed().as_secs_f64(), p.points);
            p.timeline.push((sent, secs, n));
        }
        match result {
            Ok(()) => ExitKind::Ok,
            Err(why) => {
                // Saved once the executor is done: not under its timeout, nor in its round.
                p.finding = Some(why);
                p.found = Some((datagrams, input.clone()));
                ExitKind::Crash
            }
        }
    };

    // SAFETY: the map is leaked (it outlives the observer) and `total` long; see the harness.
    let observer =
        HitcountsMapObserver::new(unsafe { StdMapObserver::from_mut_ptr("kcov", map_ptr, total) });
    let map_feedback = MaxMapFeedback::new(&observer);
    let mut feedback = feedback_and_fast!(ConstFeedback::new(!cfg.blind), map_feedback);
    let mut objective = feedback_or_fast!(CrashFeedback::new(), TimeoutFeedback::new());
    let mut state: State = StdState::new(
        StdRand::with_seed(cfg.seed),
        InMemoryCorpus::new(),
        OnDiskCorpus::new(cfg.out.join("solutions"))?,
        &mut feedback,
        &mut objective,
    )?;
    let mut fuzzer = StdFuzzer::new(QueueScheduler::new(), feedback, objective);
    let mut mgr = SimpleEventManager::new(NopMonitor::new());
    let mut executor = InProcessExecutor::builder()
        .harness(&mut harness)
        .observers(tuple_list!(observer))
        .fuzzer(&mut fuzzer)
        .state(&mut state)
        .event_mgr(&mut mgr)
        .timeout(Duration::from_secs(30))
        .build()?;

    // The seeds: the same for both modes (the seed's first numbers), kept whatever they reach.
    let mut seed_rand = StdRand::with_seed(cfg.seed ^ 0x5eed);
    for i in 0..SEEDS {
        let mut input = shaper.input(&mut seed_rand);
        // One seed per operation and mode first, then any.
        if i < spec.ops.len() * 2 {
            let op = &spec.ops[i / 2];
            if let Some(m) = input.msgs.first_mut() {
                m.cmd = op.cmd;
                m.dump = i % 2 == 1 && op.dump_request.is_some() || op.do_request.is_none();
            }
        }
        fuzzer.add_input(&mut state, &mut executor, &mut mgr, input)?;
        if progress.borrow().finding.is_some() {
            break;
        }
    }

    let mut stages = tuple_list!(StdMutationalStage::new(HavocScheduledMutator::new(
        mutations(shaper)
    )));
    let deadline = started + Duration::from_secs(cfg.seconds);
    let mut next_report = Instant::now();
    loop {
        let sent = {
            let p = progress.borrow();
            if p.finding.is_some() || state.solutions().count() > 0 {
                break;
            }
            p.sent
        };
        if Instant::now() >= deadline || cfg.max_requests.is_some_and(|m| sent >= m) {
            break;
        }
        if Instant::now() >= next_report {
            let p = progress.borrow();
            eprintln!(
                "genl-fuzz: {:>5.0}s {} requests, {} execs, {}/{} points, corpus {}",
                started.elapsed().as_secs_f64(),
                sent,
                p.execs,
                p.points,
                total,
                state.corpus().count()
            );
            next_report = Instant::now() + Duration::from_secs(10);
        }
        fuzzer.fuzz_one(&mut stages, &mut executor, &mut state, &mut mgr)?;
    }
    drop(executor);
    let mut p = progress.borrow_mut();
    let seconds = started.elapsed().as_secs_f64();
    if let (Some(why), Some((datagrams, input))) = (&p.finding, &p.found) {
        let saved = crate::repro::save_finding(
            &cfg.out,
            &spec.name,
            datagrams,
            input,
            Some(&history.path),
            why,
        );
        let why = match saved {
            Ok(path) => format!("{why}\nreproducer: {}", path.display()),
            Err(e) => format!("{why}\n(reproducer not saved: {e:#})"),
        };
        p.finding = Some(why);
    }
    write_results(cfg, &points, &p, seconds, state.corpus().count())?;
    if let Some(why) = &p.finding {
        eprintln!("genl-fuzz: FINDING: {why}");
    }
    Ok(Outcome {
        finding: p.finding.is_some(),
    })
}

/// `summary.txt` (key value lines), `timeline.tsv` (requests, seconds, points at each new
/// point), `reached.txt` (the points reached, as `section+offset` of the `.ko`).
fn write_results(
    cfg: &Config,
    points: &ModulePoints,
    p: &Progress,
    seconds: f64,
    corpus: usize,
) -> Result<()> {
    let mode = if cfg.blind { "blind" } else { "guided" };
    let summary = format!(
        "module {}\nmode {mode}\nseed {}\nseconds {seconds:.1}\nrequests {}\nexecs {}\npoints {}\ntotal {}\ncorpus {corpus}\nfaulted {}\nenomem {}\nfindings {}\n",
        cfg.module,
        cfg.seed,
        p.sent,
        p.execs,
        p.points,
        points.len(),
        p.faulted,
        p.enomem,
        u8::from(p.finding.is_some()),
    );
    fs::write(cfg.out.join("summary.txt"), &summary)?;
    let mut t = fs::File::create(cfg.out.join("timeline.tsv"))?;
    writeln!(t, "requests\tseconds\tpoints")?;
    for (sent, secs, n) in &p.timeline {
        writeln!(t, "{sent}\t{secs:.2}\t{n}")?;
    }
    writeln!(t, "{}\t{seconds:.2}\t{}", p.sent, p.points)?;
    let mut r = fs::File::create(cfg.out.join("reached.txt"))?;
    for (i, place) in points.places.iter().enumerate() {
        if p.reached[i] {
            writeln!(r, "{place}")?;
        }
    }
    eprint!("genl-fuzz: {}", summary.replace('\n', " "));
    eprintln!();
    Ok(())
}
