"""rightsgraph.data"""
