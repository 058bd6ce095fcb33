// libhdf5 for Swift. HDF5's property-list and type ids are macros over global
// variables, which Swift cannot import; the inline functions below expose them.
#ifndef KLEVER_CHDF5_SHIM_H
#define KLEVER_CHDF5_SHIM_H
#include <hdf5.h>

static inline hid_t klever_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline unsigned klever_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned klever_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
static inline hid_t klever_H5P_FILE_ACCESS(void) { return H5P_FILE_ACCESS; }
static inline hid_t klever_H5T_C_S1(void) { return H5T_C_S1; }
static inline hid_t klever_H5T_STD_I32LE(void) { return H5T_STD_I32LE; }
static inline size_t klever_H5T_VARIABLE(void) { return H5T_VARIABLE; }
static inline hid_t klever_H5E_DEFAULT(void) { return H5E_DEFAULT; }
static inline hid_t klever_H5S_ALL(void) { return H5S_ALL; }

// Stops libhdf5 printing its error stack to stderr (for the calling thread: a
// thread-safe build keeps one error stack per thread); callers report errors themselves.
static inline herr_t klever_H5E_silence(void) { return H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

// Turns off file locking where the library has it (1.10.7+): a reader needs no lock,
// and locking fails on file systems without flock (NFS, Lustre, some volumes).
static inline herr_t klever_H5P_no_file_locking(hid_t fapl) {
#if H5_VERSION_GE(1, 10, 7)
    return H5Pset_file_locking(fapl, 0, 1);
#else
    (void)fapl;
    return 0;
#endif
}

#endif
