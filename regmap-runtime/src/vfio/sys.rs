//! The parts of the kernel's VFIO interface (`linux/vfio.h`) the backend uses:
//! ioctl numbers, flags and the `#[repr(C)]` argument structs, written from the
//! uapi header's definitions.

#![allow(dead_code)]

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

/// `_IO(';', 100 + n)`: every VFIO ioctl is argument-less in the encoding and
/// carries its size in the struct's `argsz` instead.
const fn vfio_io(n: u64) -> u64 {
    ((b';' as u64) << 8) | (100 + n)
}

pub const GET_API_VERSION: u64 = vfio_io(0);
pub const CHECK_EXTENSION: u64 = vfio_io(1);
pub const SET_IOMMU: u64 = vfio_io(2);
pub const GROUP_GET_STATUS: u64 = vfio_io(3);
pub const GROUP_SET_CONTAINER: u64 = vfio_io(4);
pub const GROUP_GET_DEVICE_FD: u64 = vfio_io(6);
pub const DEVICE_GET_INFO: u64 = vfio_io(7);
pub const DEVICE_GET_REGION_INFO: u64 = vfio_io(8);
pub const DEVICE_GET_IRQ_INFO: u64 = vfio_io(9);
pub const DEVICE_SET_IRQS: u64 = vfio_io(10);
pub const DEVICE_RESET: u64 = vfio_io(11);
pub const IOMMU_GET_INFO: u64 = vfio_io(12);
pub const IOMMU_MAP_DMA: u64 = vfio_io(13);
pub const IOMMU_UNMAP_DMA: u64 = vfio_io(14);

pub const API_VERSION: i32 = 0;
pub const TYPE1_IOMMU: u64 = 1;
pub const TYPE1V2_IOMMU: u64 = 3;

pub const GROUP_FLAGS_VIABLE: u32 = 1 << 0;

pub const REGION_INFO_FLAG_READ: u32 = 1 << 0;
pub const REGION_INFO_FLAG_WRITE: u32 = 1 << 1;
pub const REGION_INFO_FLAG_MMAP: u32 = 1 << 2;

/// vfio-pci region indices: BAR0..BAR5 are 0..5.
pub const PCI_CONFIG_REGION_INDEX: u32 = 7;

pub const IRQ_INFO_EVENTFD: u32 = 1 << 0;
pub const IRQ_INFO_MASKABLE: u32 = 1 << 1;
pub const IRQ_INFO_AUTOMASKED: u32 = 1 << 2;

pub const IRQ_SET_DATA_NONE: u32 = 1 << 0;
pub const IRQ_SET_DATA_EVENTFD: u32 = 1 << 2;
pub const IRQ_SET_ACTION_UNMASK: u32 = 1 << 4;
pub const IRQ_SET_ACTION_TRIGGER: u32 = 1 << 5;

pub const IOMMU_INFO_CAPS: u32 = 1 << 1;
pub const IOMMU_TYPE1_INFO_CAP_IOVA_RANGE: u16 = 1;

pub const DMA_MAP_FLAG_READ: u32 = 1 << 0;
pub const DMA_MAP_FLAG_WRITE: u32 = 1 << 1;

/// `struct vfio_group_status`.
#[repr(C)]
#[derive(Debug, Default)]
pub struct GroupStatus {
    pub argsz: u32,
    pub flags: u32,
}

/// `struct vfio_region_info` (without the capability chain that may follow).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct RegionInfo {
    pub argsz: u32,
    pub flags: u32,
    pub index: u32,
    pub cap_offset: u32,
    pub size: u64,
    pub offset: u64,
}

/// `struct vfio_irq_info`.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct IrqInfo {
    pub argsz: u32,
    pub flags: u32,
    pub index: u32,
    pub count: u32,
}

/// `struct vfio_irq_set` followed by one eventfd: the only shape the backend
/// sends (one vector at a time), so the flexible array is a single `i32`.
#[repr(C)]
#[derive(Debug, Default)]
pub struct IrqSetOne {
    pub argsz: u32,
    pub flags: u32,
    pub index: u32,
    pub start: u32,
    pub count: u32,
    pub fd: i32,
}

/// `struct vfio_irq_set` with no data (`DATA_NONE`).
#[repr(C)]
#[derive(Debug, Default)]
pub struct IrqSetNone {
    pub argsz: u32,
    pub flags: u32,
    pub index: u32,
    pub start: u32,
    pub count: u32,
}

/// `struct vfio_iommu_type1_dma_map`.
#[repr(C)]
#[derive(Debug, Default)]
pub struct DmaMap {
    pub argsz: u32,
    pub flags: u32,
    pub vaddr: u64,
    pub iova: u64,
    pub size: u64,
}

/// `struct vfio_iommu_type1_dma_unmap` (without the dirty bitmap).
#[repr(C)]
#[derive(Debug, Default)]
pub struct DmaUnmap {
    pub argsz: u32,
    pub flags: u32,
    pub iova: u64,
    pub size: u64,
}

/// `size_of::<T>()` as the `argsz` the kernel expects.
pub fn argsz<T>() -> u32 {
    size_of::<T>() as u32
}

/// An ioctl whose argument is a plain integer (or none).
pub fn ioctl_val(fd: BorrowedFd<'_>, request: u64, arg: u64) -> io::Result<i32> {
    // SAFETY: the VFIO requests passed here take an integer argument (or
    // ignore it); no memory is handed to the kernel.
    let r = unsafe { libc::ioctl(fd.as_raw_fd(), request as _, arg as libc::c_ulong) };
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

/// An ioctl whose argument is a pointer to `arg`, which the kernel may read
/// and write.
///
/// # Safety
/// `request` takes a pointer to a value laid out as `T`, of at most
/// `size_of::<T>()` bytes (its `argsz`, where it has one, says no more).
pub unsafe fn ioctl_ptr<T>(fd: BorrowedFd<'_>, request: u64, arg: &mut T) -> io::Result<i32> {
    // SAFETY: the caller's contract: the kernel reads and writes at most
    // `size_of::<T>()` bytes of `arg`, which is valid and exclusively borrowed.
    let r = unsafe { libc::ioctl(fd.as_raw_fd(), request as _, arg as *mut T) };
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ioctl_numbers_and_layouts_match_the_uapi_header() {
        // _IO(';', 100) and _IO(';', 113) as the kernel defines them.
        assert_eq!(GET_API_VERSION, 0x3b64);
        assert_eq!(IOMMU_MAP_DMA, 0x3b71);
        assert_eq!(DEVICE_SET_IRQS, 0x3b6e);
        assert_eq!(size_of::<RegionInfo>(), 32);
        assert_eq!(size_of::<IrqInfo>(), 16);
        assert_eq!(size_of::<IrqSetOne>(), 24);
        assert_eq!(size_of::<IrqSetNone>(), 20);
        assert_eq!(size_of::<DmaMap>(), 32);
        assert_eq!(size_of::<DmaUnmap>(), 24);
    }
}
