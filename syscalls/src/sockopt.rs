//! Socket options: `setsockopt` and `getsockopt` at `SOL_SOCKET` for `AF_UNIX` sockets.
//! Other levels are `EOPNOTSUPP`, as Linux's `AF_UNIX` has none; unknown names `ENOPROTOOPT`.

use std::time::Duration;

use sbx_kernel::socket::abi::{Linger, Ucred};
use sbx_kernel::socket::*;
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::{Errno, KResult};

use crate::identity::capable;
use crate::net::sock_fd;
use crate::util::Timeval;
use crate::TableBuilder;

const SO_DEBUG: i32 = 1;
const SO_REUSEADDR: i32 = 2;
const SO_TYPE: i32 = 3;
const SO_ERROR: i32 = 4;
const SO_DONTROUTE: i32 = 5;
const SO_BROADCAST: i32 = 6;
const SO_SNDBUF: i32 = 7;
const SO_RCVBUF: i32 = 8;
const SO_KEEPALIVE: i32 = 9;
const SO_OOBINLINE: i32 = 10;
const SO_LINGER: i32 = 13;
const SO_REUSEPORT: i32 = 15;
const SO_PASSCRED: i32 = 16;
const SO_PEERCRED: i32 = 17;
const SO_RCVLOWAT: i32 = 18;
const SO_SNDLOWAT: i32 = 19;
const SO_RCVTIMEO_OLD: i32 = 20;
const SO_SNDTIMEO_OLD: i32 = 21;
const SO_ACCEPTCONN: i32 = 30;
const SO_SNDBUFFORCE: i32 = 32;
const SO_RCVBUFFORCE: i32 = 33;
const SO_PROTOCOL: i32 = 38;
const SO_DOMAIN: i32 = 39;
const SO_RCVTIMEO_NEW: i32 = 66;
const SO_SNDTIMEO_NEW: i32 = 67;

/// `CAP_NET_ADMIN` (`SO_*BUFFORCE`, `SO_DEBUG`), which sandboxes do not have.
const CAP_NET_ADMIN: u32 = 12;

/// The kernel tick the timeouts are kept in (Linux's `HZ`; 250 is the common build): a
/// timeout reads back rounded up to a whole tick, as on Linux.
const HZ: u64 = 250;
const USEC_PER_TICK: u64 = 1_000_000 / HZ;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    const NOTE: &str = "AF_UNIX at SOL_SOCKET: SO_TYPE, SO_DOMAIN, SO_PROTOCOL, SO_ERROR, \
        SO_SNDBUF, SO_RCVBUF, SO_PASSCRED, SO_PEERCRED, SO_ACCEPTCONN, SO_RCVTIMEO, \
        SO_SNDTIMEO, SO_RCVLOWAT, SO_SNDLOWAT, SO_LINGER, SO_REUSEADDR, SO_KEEPALIVE, \
        SO_DEBUG (off only), SO_BROADCAST, SO_DONTROUTE, SO_OOBINLINE, SO_REUSEPORT; others are ENOPROTOOPT";
    b.add("setsockopt", sys_setsockopt, Support::Partial(NOTE));
    b.add("getsockopt", sys_getsockopt, Support::Partial(NOTE));
}

/// A timeout as `sock_set_timeout` takes it: `EDOM` for microseconds outside a second; a
/// negative time never waits; zero (or one too large for the tick counter) waits forever.
fn timeout_from(tv: Timeval) -> KResult<Timeout> {
    if !(0..1_000_000).contains(&tv.tv_usec) {
        return Err(Errno::EDOM);
    }
    if tv.tv_sec < 0 {
        return Ok(Timeout::After(Duration::ZERO));
    }
    let (sec, usec) = (tv.tv_sec as u64, tv.tv_usec as u64);
    if (sec == 0 && usec == 0) || sec >= (i64::MAX as u64) / HZ - 1 {
        return Ok(Timeout::Forever);
    }
    let ticks = sec * HZ + usec.div_ceil(USEC_PER_TICK);
    Ok(Timeout::After(Duration::from_micros(ticks * USEC_PER_TICK)))
}

/// A timeout as `getsockopt` reports it (forever and never both read as zero).
fn timeout_to(t: Timeout) -> Timeval {
    match t {
        Timeout::Forever => Timeval::default(),
        Timeout::After(d) => Timeval::from_duration(d),
    }
}

/// A buffer size as `SO_SNDBUF`/`SO_RCVBUF` store it: capped at the sysctl maximum (a
/// negative value counts as huge), doubled for bookkeeping overhead, at least `min`.
fn buf_size(val: i32, max: usize, min: usize) -> usize {
    let v = (val as u32 as usize).min(max).min(i32::MAX as usize / 2);
    (v * 2).max(min)
}

fn sys_setsockopt(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (level, name, optval, optlen) = (a.i32(1), a.i32(2), a.u(3), a.i32(4));
    if optlen < 0 {
        return Err(Errno::EINVAL);
    }
    let (_, sock) = sock_fd(task, a.i32(0))?;
    if level != SOL_SOCKET {
        return Err(Errno::EOPNOTSUPP);
    }
    if optlen < 4 {
        return Err(Errno::EINVAL);
    }
    let val: i32 = task.mm().read_val(optval)?;
    let on = val != 0;
    match name {
        SO_REUSEADDR => sock.set_opts(|o| o.reuseaddr = on),
        SO_KEEPALIVE => sock.set_opts(|o| o.keepalive = on),
        SO_BROADCAST => sock.set_opts(|o| o.broadcast = on),
        SO_DONTROUTE => sock.set_opts(|o| o.dontroute = on),
        SO_OOBINLINE => sock.set_opts(|o| o.oobinline = on),
        SO_PASSCRED => sock.set_opts(|o| o.passcred = on),
        // Port reuse means nothing outside IP.
        SO_REUSEPORT if on => return Err(Errno::EOPNOTSUPP),
        SO_REUSEPORT => {}
        SO_SNDBUF => sock.set_opts(|o| o.sndbuf = buf_size(val, WMEM_MAX, SOCK_MIN_SNDBUF)),
        SO_RCVBUF => sock.set_opts(|o| o.rcvbuf = buf_size(val, RMEM_MAX, SOCK_MIN_RCVBUF)),
        SO_SNDBUFFORCE | SO_RCVBUFFORCE if !capable(task, CAP_NET_ADMIN) => {
            return Err(Errno::EPERM)
        }
        // No limit but non-negative: the caller is trusted with memory.
        SO_SNDBUFFORCE => {
            sock.set_opts(|o| o.sndbuf = buf_size(val.max(0), usize::MAX, SOCK_MIN_SNDBUF))
        }
        SO_RCVBUFFORCE => {
            sock.set_opts(|o| o.rcvbuf = buf_size(val.max(0), usize::MAX, SOCK_MIN_RCVBUF))
        }
        // Debugging output does not exist here: turning it off is all anyone may do.
        SO_DEBUG if on => return Err(Errno::EACCES),
        SO_DEBUG => {}
        SO_RCVLOWAT => {
            let v = if val < 0 { i32::MAX } else { val.max(1) };
            sock.set_opts(|o| o.rcvlowat = v);
        }
        SO_LINGER => {
            if optlen < 8 {
                return Err(Errno::EINVAL);
            }
            let l: Linger = task.mm().read_val(optval)?;
            sock.set_opts(|o| {
                if l.onoff == 0 {
                    o.linger.0 = 0;
                } else {
                    o.linger = (1, l.linger);
                }
            });
        }
        SO_RCVTIMEO_OLD | SO_RCVTIMEO_NEW | SO_SNDTIMEO_OLD | SO_SNDTIMEO_NEW => {
            if optlen < 16 {
                return Err(Errno::EINVAL);
            }
            let t = timeout_from(task.mm().read_val(optval)?)?;
            if name == SO_RCVTIMEO_OLD || name == SO_RCVTIMEO_NEW {
                sock.set_opts(|o| o.rcvtimeo = t);
            } else {
                sock.set_opts(|o| o.sndtimeo = t);
            }
        }
        _ => return Err(Errno::ENOPROTOOPT),
    }
    Ok(0)
}

fn int(v: impl TryInto<i32>) -> Vec<u8> {
    v.try_into().unwrap_or(i32::MAX).to_ne_bytes().to_vec()
}

fn sys_getsockopt(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (level, name, optval, optlen) = (a.i32(1), a.i32(2), a.u(3), a.u(4));
    let (_, sock) = sock_fd(task, a.i32(0))?;
    if level != SOL_SOCKET {
        return Err(Errno::EOPNOTSUPP);
    }
    let len: i32 = task.mm().read_val(optlen)?;
    if len < 0 {
        return Err(Errno::EINVAL);
    }
    let o = sock.opts();
    let value: Vec<u8> = match name {
        SO_TYPE => int(sock.ty().raw()),
        SO_DOMAIN => int(AF_UNIX),
        // `AF_UNIX` sockets never record a protocol.
        SO_PROTOCOL => int(0),
        SO_ERROR => int(sock.take_error().map_or(0, |e| e.0)),
        SO_SNDBUF => int(o.sndbuf),
        SO_RCVBUF => int(o.rcvbuf),
        SO_PASSCRED => int(o.passcred),
        SO_ACCEPTCONN => int(sock.is_listening()),
        SO_REUSEADDR => int(o.reuseaddr),
        SO_KEEPALIVE => int(o.keepalive),
        SO_BROADCAST => int(o.broadcast),
        SO_DONTROUTE => int(o.dontroute),
        SO_OOBINLINE => int(o.oobinline),
        SO_REUSEPORT | SO_DEBUG => int(0),
        SO_RCVLOWAT => int(o.rcvlowat),
        SO_SNDLOWAT => int(1),
        SO_LINGER => bytemuck::bytes_of(&Linger {
            onoff: o.linger.0,
            linger: o.linger.1,
        })
        .to_vec(),
        SO_PEERCRED => {
            // No peer: pid 0 and the invalid ids.
            let c = sock.peer_cred().unwrap_or(Ucred {
                pid: 0,
                uid: u32::MAX,
                gid: u32::MAX,
            });
            bytemuck::bytes_of(&c).to_vec()
        }
        SO_RCVTIMEO_OLD | SO_RCVTIMEO_NEW => bytemuck::bytes_of(&timeout_to(o.rcvtimeo)).to_vec(),
        SO_SNDTIMEO_OLD | SO_SNDTIMEO_NEW => bytemuck::bytes_of(&timeout_to(o.sndtimeo)).to_vec(),
        _ => return Err(Errno::ENOPROTOOPT),
    };
    let n = (len as usize).min(value.len());
    task.mm().copy_out(optval, &value[..n])?;
    task.mm().write_val(optlen, &(n as i32))?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tv(s: i64, us: i64) -> Timeval {
        Timeval {
            tv_sec: s,
            tv_usec: us,
        }
    }

    #[test]
    fn timeouts_round_up_to_ticks() {
        assert_eq!(timeout_from(tv(0, 0)), Ok(Timeout::Forever));
        assert_eq!(timeout_from(tv(0, 1_000_000)), Err(Errno::EDOM));
        assert_eq!(timeout_from(tv(0, -1)), Err(Errno::EDOM));
        assert_eq!(timeout_from(tv(-5, 0)), Ok(Timeout::After(Duration::ZERO)));
        assert_eq!(timeout_to(timeout_from(tv(0, 1)).unwrap()), tv(0, 4000));
        assert_eq!(
            timeout_to(timeout_from(tv(2, 500_000)).unwrap()),
            tv(2, 500_000)
        );
    }

    #[test]
    fn buffer_sizes_double_and_clamp() {
        assert_eq!(buf_size(32768, WMEM_MAX, SOCK_MIN_SNDBUF), 65536);
        assert_eq!(buf_size(1, WMEM_MAX, SOCK_MIN_SNDBUF), SOCK_MIN_SNDBUF);
        assert_eq!(buf_size(-1, WMEM_MAX, SOCK_MIN_SNDBUF), 2 * WMEM_MAX);
    }
}
