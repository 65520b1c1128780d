// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Coverage: a module's KCOV points, and per-task KCOV (Documentation/dev-tools/kcov.rst).
//!
//! A point is a call to `__sanitizer_cov_trace_pc` that the compiler put in a basic block;
//! KCOV records its return address (`_RET_IP_`, `kernel/kcov.c`). The points of the module
//! are read from the `.ko` (the relocations to that function) and placed at the addresses
//! its sections were loaded at (`/sys/module/NAME/sections/`), so that every PC the kernel
//! records maps to one point, or to none when it is not the module's.

use std::{
    collections::BTreeSet,
    fs,
    io::{self, Write},
    path::Path,
    ptr::NonNull,
    time::Instant,
};

use anyhow::{bail, Context, Result};
use object::{Object, ObjectSection, ObjectSymbol, RelocationTarget};

pub struct ModulePoints {
    /// Sorted: the run-time address of each point.
    pub pcs: Vec<u64>,
    /// Each point's place in the `.ko` (`section+offset`), in the order of `pcs`.
    pub places: Vec<String>,
    lo: u64,
    /// `index[pc - lo]`: the point's number plus one, 0 for no point.
    index: Vec<u32>,
}

impl ModulePoints {
    pub fn load(ko: &Path, module: &str) -> Result<Self> {
        let data = fs::read(ko).with_context(|| format!("reading {}", ko.display()))?;
        let obj =
            object::File::parse(&*data).with_context(|| format!("parsing {}", ko.display()))?;
        let cov = obj
            .symbols()
            .find(|s| s.name() == Ok("__sanitizer_cov_trace_pc"))
            .map(|s| s.index())
            .context(
                "no call to __sanitizer_cov_trace_pc: is the module built against the KCOV kernel?",
            )?;
        let mut points = Vec::new();
        for section in obj.sections() {
            let name = section.name().unwrap_or("");
            // `.init.text` is freed once the module is loaded: nothing there runs again.
            if name.starts_with(".init") {
                continue;
            }
            let mut offsets: Vec<u64> = section
                .relocations()
                .filter(|(_, r)| r.target() == RelocationTarget::Symbol(cov))
                // The relocation is the call's 32-bit operand; the call returns after it.
                .map(|(off, _)| off + 4)
                .collect();
            if offsets.is_empty() {
                continue;
            }
            let base_file = format!("/sys/module/{module}/sections/{name}");
            let base = fs::read_to_string(&base_file)
                .with_context(|| format!("reading {base_file}: is {module} loaded?"))?;
            let base = u64::from_str_radix(base.trim().trim_start_matches("0x"), 16)
                .with_context(|| format!("{base_file}: not an address"))?;
            offsets.sort_unstable();
            points.extend(
                offsets
                    .into_iter()
                    .map(|o| (base + o, format!("{name}+{o:#x}"))),
            );
        }
        points.sort_unstable();
        if points.is_empty() {
            bail!("{}: no KCOV points", ko.display());
        }
        let lo = points[0].0;
        let hi = points[points.len() - 1].0;
        if hi - lo > 64 << 20 {
            bail!("{module}: its points span {} MiB", (hi - lo) >> 20);
        }
        let mut index = vec![0u32; (hi - lo + 1) as usize];
        for (i, (pc, _)) in points.iter().enumerate() {
            index[(pc - lo) as usize] = i as u32 + 1;
        }
        let (pcs, places) = points.into_iter().unzip();
        Ok(Self {
            pcs,
            places,
            lo,
            index,
        })
    }

    pub fn len(&self) -> usize {
        self.pcs.len()
    }

    /// Never true: [`ModulePoints::load`] refuses a module without points.
    pub fn is_empty(&self) -> bool {
        self.pcs.is_empty()
    }

    /// The point a recorded PC is, if it is one of the module's.
    #[inline]
    pub fn point(&self, pc: u64) -> Option<usize> {
        let i = *self.index.get(pc.checked_sub(self.lo)? as usize)?;
        (i != 0).then(|| i as usize - 1)
    }
}

const KCOV_INIT_TRACE: libc::c_ulong = 0x8008_6301; // _IOR('c', 1, unsigned long)
const KCOV_ENABLE: libc::c_ulong = 0x6364; // _IO('c', 100)
const KCOV_TRACE_PC: libc::c_ulong = 0;
/// PCs recorded per execution, at most (a request and its replies record a few thousand).
const COVER_SIZE: usize = 1 << 18;

/// KCOV turned on for the calling thread: every PC the kernel runs in its syscalls (a Generic
/// Netlink request's handler runs in the sender's `sendmsg`, a dump's later rounds in its
/// `recvmsg`) is written to a buffer shared with the kernel.
///
/// # Invariants
///
/// `area` is a `COVER_SIZE`-word mapping of the KCOV file, alive as long as `self`, that the
/// kernel writes to while this thread runs: word 0 the count, then the PCs.
pub struct Kcov {
    area: NonNull<u64>,
    _fd: fs::File,
}

impl Kcov {
    pub fn enable() -> Result<Self> {
        let fd = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/sys/kernel/debug/kcov")
            .context("opening /sys/kernel/debug/kcov: is this the KCOV kernel, debugfs mounted?")?;
        use std::os::fd::AsRawFd;
        let raw = fd.as_raw_fd();
        // SAFETY: KCOV_INIT_TRACE takes its argument by value; `raw` is an open KCOV file.
        if unsafe { libc::ioctl(raw, KCOV_INIT_TRACE, COVER_SIZE as libc::c_ulong) } != 0 {
            return Err(io::Error::last_os_error()).context("KCOV_INIT_TRACE");
        }
        // SAFETY: a fresh shared mapping of the file the size KCOV_INIT_TRACE set; no memory of
        // ours is touched.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                COVER_SIZE * 8,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                raw,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(io::Error::last_os_error()).context("mmap of KCOV");
        }
        // SAFETY: KCOV_ENABLE with its mode, on the file just set up.
        if unsafe { libc::ioctl(raw, KCOV_ENABLE, KCOV_TRACE_PC) } != 0 {
            return Err(io::Error::last_os_error()).context("KCOV_ENABLE");
        }
        // INVARIANT: mapped above, for as long as the file (unmapped only by process exit).
        Ok(Self {
            area: NonNull::new(p.cast()).expect("mmap returned a mapping"),
            _fd: fd,
        })
    }

    /// Starts a new record.
    #[inline]
    pub fn reset(&mut self) {
        // SAFETY: word 0 of the mapping (the type invariant); volatile, as the kernel writes it.
        unsafe { self.area.as_ptr().write_volatile(0) }
    }

    /// The PCs recorded since [`Kcov::reset`].
    pub fn for_each(&self, mut f: impl FnMut(u64)) {
        // SAFETY: as in `reset`; the kernel stops at the mapping's end.
        let n = unsafe { self.area.as_ptr().read_volatile() } as usize;
        for i in 1..=n.min(COVER_SIZE - 1) {
            // SAFETY: `i` is within the mapping (the type invariant).
            f(unsafe { self.area.as_ptr().add(i).read_volatile() });
        }
    }
}

/// Records what a tool reaches of a module without its `.ko`: the points are return addresses,
/// so each PC in the module's `.text` (`/sys/module/NAME/sections/.text`) is one, named
/// `.text+OFFSET` as [`ModulePoints`] names them.
pub struct Recorder {
    kcov: Kcov,
    base: u64,
    end: u64,
    reached: BTreeSet<u64>,
    /// `(requests sent, seconds, points reached)` at each new point.
    timeline: Vec<(u64, f64, usize)>,
    started: Instant,
}

impl Recorder {
    /// KCOV on for the calling thread, recording what it reaches of `module`.
    pub fn start(module: &str) -> Result<Self> {
        let read = |f: &str| -> Result<u64> {
            let p = format!("/sys/module/{module}/{f}");
            let t = fs::read_to_string(&p).with_context(|| format!("reading {p}"))?;
            let t = t.trim();
            Ok(match t.strip_prefix("0x") {
                Some(h) => u64::from_str_radix(h, 16)?,
                None => t.parse()?,
            })
        };
        let base = read("sections/.text")?;
        let end = base + read("coresize")?;
        Ok(Self {
            kcov: Kcov::enable()?,
            base,
            end,
            reached: BTreeSet::new(),
            timeline: Vec::new(),
            started: Instant::now(),
        })
    }

    /// Takes what was recorded since the last call; `sent`: requests sent so far.
    pub fn collect(&mut self, sent: u64) {
        let before = self.reached.len();
        let (base, end) = (self.base, self.end);
        let reached = &mut self.reached;
        self.kcov.for_each(|pc| {
            if (base..end).contains(&pc) {
                reached.insert(pc - base);
            }
        });
        self.kcov.reset();
        if self.reached.len() > before {
            let secs = self.started.elapsed().as_secs_f64();
            self.timeline.push((sent, secs, self.reached.len()));
        }
    }

    /// Writes `summary.txt`, `timeline.tsv` and `reached.txt` into `dir`, as genl-fuzz does.
    pub fn write(&self, dir: &Path, module: &str, mode: &str, seed: u64, sent: u64) -> Result<()> {
        fs::create_dir_all(dir)?;
        let secs = self.started.elapsed().as_secs_f64();
        fs::write(
            dir.join("summary.txt"),
            format!(
                "module {module}\nmode {mode}\nseed {seed}\nseconds {secs:.1}\nrequests {sent}\nexecs {sent}\npoints {}\ntotal 0\ncorpus 0\nfindings 0\n",
                self.reached.len()
            ),
        )?;
        let mut t = fs::File::create(dir.join("timeline.tsv"))?;
        writeln!(t, "requests\tseconds\tpoints")?;
        for (s, secs, n) in &self.timeline {
            writeln!(t, "{s}\t{secs:.2}\t{n}")?;
        }
        writeln!(t, "{sent}\t{secs:.2}\t{}", self.reached.len())?;
        let mut r = fs::File::create(dir.join("reached.txt"))?;
        for off in &self.reached {
            writeln!(r, ".text+{off:#x}")?;
        }
        Ok(())
    }
}
