// libhdf5 for Swift. HDF5's property-list and type ids are macros over global
// variables, which Swift cannot import; the inline functions below expose them.
#ifndef KLEVER_CHDF5_SHIM_H
#define KLEVER_CHDF5_SHIM_H
#include <hdf5.h>

static inline hid_t klever_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline unsigned klever_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }

#endif
